#pragma once
// The order the queue is served in: highest effective priority first, then
// the longest waiting, then the lowest id (so the order is total and every
// run over the same input decides the same way).
#include <cstddef>
#include <cstdint>

#include "workbench/router/rules.h"
#include "workbench/router/target_path.h"
#include "workbench/router/types.h"

namespace omnigate::workbench::router {

struct QueueSlot {
  std::size_t index = 0;  // in the caller's queue
  std::int64_t priority = 0;
  TimePoint queued_at{};
  std::int64_t id = 0;
};

// priority + (vip ? vip_boost : 0) + the rule's and the target's boosts.
std::int64_t effective_priority(const Rules& rules, const WaitingConversation& conversation,
                                const ResolvedTarget& target);

inline bool served_before(const QueueSlot& a, const QueueSlot& b) {
  if (a.priority != b.priority) return a.priority > b.priority;
  if (a.queued_at != b.queued_at) return a.queued_at < b.queued_at;
  return a.id < b.id;
}

}  // namespace omnigate::workbench::router
