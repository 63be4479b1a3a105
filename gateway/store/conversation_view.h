#pragma once
// A conversation as agents see it in lists, on its page and in realtime
// events: the model plus who and where (contact, channel), the newest
// message's preview and the open offer. One SQL shape and one JSON form for
// every reader.
#include <cstdint>
#include <optional>
#include <string>

#include <json/value.h>

#include "gateway/db/pg.h"
#include "schema/conversation.h"
#include "schema/message.h"
#include "workbench/access/conversation_access.h"

namespace omnigate::store {

struct MessagePreview {
  std::int64_t seq = 0;
  schema::Direction direction = schema::Direction::in;
  schema::SenderType sender_type = schema::SenderType::contact;
  std::string preview;  // text cut to 140 characters, else "[image]" and the like
  schema::Timestamp created_at{};
};

struct ConversationView {
  schema::Conversation conversation;
  std::string contact_name;
  bool vip = false;  // the contact or conversation is a VIP (gateway/store/vip.h), as the router sees it
  std::string channel_type;
  std::string channel_name;
  std::optional<MessagePreview> last_message;  // newest that is not a private note
  std::optional<std::int64_t> offered_to;
  std::optional<schema::Timestamp> offer_expires_at;
  schema::Timestamp read_at{};  // the database clock when read (for waiting_s)

  workbench::ConversationScope scope() const {
    return {conversation.team_id, conversation.assignee_id, offered_to};
  }
};

// The model's columns of `conversations c` and their reader; `first` is the
// column where they start.
extern const char* const kConversationColumns;
constexpr int kConversationColumnCount = 21;
schema::Conversation conversation_from_row(const db::PgResult& r, int row, int first = 0);

// The view's columns (kConversationColumns first) over kViewFrom, which is
// `conversations c` followed by kViewJoins (contact ct, channel ch, newest
// message lm).
extern const char* const kViewColumns;
extern const char* const kViewJoins;
extern const char* const kViewFrom;
ConversationView view_from_row(const db::PgResult& r, int row);

// The model's JSON plus "assignee" and "team" (null when none), "contact", "vip",
// "channel", "waiting_s" while queued, "last_message" and "offer".
Json::Value to_json(const ConversationView& v);

}  // namespace omnigate::store
