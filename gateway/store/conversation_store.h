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

 private:
  db::ConnectionPool& pool_;
};

}  // namespace omnigate::store
