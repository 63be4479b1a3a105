#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "gateway/db/pool.h"
#include "schema/conversation.h"

namespace omnigate::store {

struct ConversationPage {
  std::vector<schema::Conversation> items;
  // Opaque cursor for the next page ("<last_message_at micros>:<id>"), empty at the end.
  std::string next;
};

class ConversationStore {
 public:
  explicit ConversationStore(db::ConnectionPool& pool) : pool_(pool) {}

  // Most recently active first. `cursor` is a previous page's `next`;
  // throws std::invalid_argument for a malformed cursor.
  ConversationPage list(const std::string& cursor, int limit);
  std::optional<schema::Conversation> get(std::int64_t id);
  // The conversations of the contact known on `channel_id` as `external_id`
  // that are open, plus those of `resuming` that belong to that contact (a
  // client can never resume someone else's conversation by guessing its id).
  std::vector<std::int64_t> of_contact(std::int64_t channel_id, const std::string& external_id,
                                       const std::vector<std::int64_t>& resuming);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace omnigate::store
