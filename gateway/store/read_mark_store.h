#pragma once
// Agents' read marks (schema/migrations/011_read_marks.sql): how far each
// agent has read each conversation, and how many customer messages came
// after that. Per agent, on the server, so every browser shows the same
// unread counts.
#include <cstdint>
#include <map>
#include <vector>

#include "gateway/db/pool.h"

namespace omnigate::store {

struct ReadState {
  std::int64_t read_seq = 0;  // 0: never opened
  // Customer messages (direction "in") after read_seq, counted up to
  // kUnreadCountCap: a badge says "99+" past that, and a conversation
  // never opened must not cost a count of its whole history.
  std::int64_t unread = 0;
};
inline constexpr std::int64_t kUnreadCountCap = 100;

class ReadMarkStore {
 public:
  explicit ReadMarkStore(db::ConnectionPool& pool) : pool_(pool) {}

  // Moves the agent's mark forward to `seq` (never back; never past the
  // conversation's last message) and announces it (see the migration).
  // Returns the mark as it now is; -1 when the conversation does not exist.
  std::int64_t mark(std::int64_t agent_id, std::int64_t conversation_id, std::int64_t seq);
  // The agent's state for each of these conversations (one query).
  std::map<std::int64_t, ReadState> states(std::int64_t agent_id, const std::vector<std::int64_t>& conversation_ids);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace omnigate::store
