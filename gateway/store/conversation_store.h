#pragma once
// Reading conversations: one by id, the lists agents filter (with the access
// rule of workbench/access/conversation_access.h applied in SQL), and the
// conversations a visitor may resume. Changes go through LifecycleStore and
// the assigner (AssignmentStore).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/db/pool.h"
#include "gateway/store/conversation_view.h"
#include "schema/conversation.h"
#include "workbench/access/conversation_access.h"

namespace omnigate::store {

struct ConversationFilter {
  enum class View {
    all,     // every conversation the viewer may see, most recently active first
    mine,    // assigned to the viewer (by default the open ones: assigned, snoozed)
    team,    // of the viewer's teams (by default the open ones: bot, queued, assigned, snoozed)
    queued,  // waiting, in queue order: priority first, then the longest waiting
  };
  View view = View::all;
  std::vector<schema::ConversationStatus> statuses;  // empty: the view's default
  std::optional<std::int64_t> channel_id;
  std::string channel_type;  // empty: any
  std::string tag;           // empty: any
  std::optional<std::int64_t> contact_id;
  // Case-insensitive substring of the contact's name or of a message's text,
  // searched among the kSearchWindow most recently active conversations that
  // pass the other filters (substring search has no index that also serves
  // Chinese text, so it is bounded rather than unbounded).
  std::string text;
};

struct ConversationViewPage {
  std::vector<ConversationView> items;
  std::string next;  // opaque cursor of the next page, empty at the end
};

class ConversationStore {
 public:
  static constexpr int kSearchWindow = 2000;

  explicit ConversationStore(db::ConnectionPool& pool) : pool_(pool) {}

  // `cursor` is a previous page's `next`; throws std::invalid_argument for a
  // malformed cursor.
  ConversationViewPage list(const workbench::Viewer& viewer, const ConversationFilter& filter,
                            const std::string& cursor, int limit);
  std::optional<schema::Conversation> get(std::int64_t id);
  std::optional<ConversationView> view(std::int64_t id);
  // The conversations of the contact known on `channel_id` as `external_id`
  // that are open, plus those of `resuming` that belong to that contact (a
  // client can never resume someone else's conversation by guessing its id).
  std::vector<std::int64_t> of_contact(std::int64_t channel_id, const std::string& external_id,
                                       const std::vector<std::int64_t>& resuming);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace omnigate::store
