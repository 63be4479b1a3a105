// Router::estimate / estimate_all: queue position and expected wait for the
// widget and the app.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "workbench/router/pool_spec.h"
#include "workbench/router/queue_order.h"
#include "workbench/router/router.h"

namespace omnigate::workbench::router {

namespace {

struct Placed {
  QueueSlot slot;
  std::string queue_key;
  std::optional<std::int64_t> team;
};

// Timeouts are applied; skip_if_no_agents is not (presence is not known here).
Placed place(const Rules& rules, const TeamDirectory& teams, const WaitingConversation& c, std::size_t index,
             TimePoint now) {
  const TargetPath path(rules, teams, c);
  const TargetPosition position = current_target(path, c, now, nullptr);
  return {{index, effective_priority(rules, c, position.target), c.queued_at, c.id},
          pool_spec(position.target, c).queue_key(),
          position.target.team};
}

std::optional<Seconds> expected_wait(int position, const Throughput& t) {
  if (t.assignments_per_minute > 0) {
    return Seconds(static_cast<std::int64_t>(std::ceil(position * 60.0 / t.assignments_per_minute)));
  }
  if (t.average_handle_time.count() > 0 && t.slots > 0) {
    const int rounds = (position + t.slots - 1) / t.slots;
    return t.average_handle_time * rounds;
  }
  return std::nullopt;
}

}  // namespace

QueueEstimate Router::estimate(const WaitingConversation& conversation,
                               const std::vector<WaitingConversation>& queue, const ThroughputByTeam& throughput,
                               TimePoint now) const {
  const Placed self = place(rules_, teams_, conversation, 0, now);
  int position = 1;
  for (const WaitingConversation& other : queue) {
    if (other.id == conversation.id) continue;
    const Placed p = place(rules_, teams_, other, 0, now);
    if (p.queue_key == self.queue_key && served_before(p.slot, self.slot)) ++position;
  }
  return {conversation.id, position, expected_wait(position, throughput.for_team(self.team))};
}

std::vector<QueueEstimate> Router::estimate_all(const std::vector<WaitingConversation>& queue,
                                                const ThroughputByTeam& throughput, TimePoint now) const {
  std::vector<Placed> placed;
  placed.reserve(queue.size());
  for (std::size_t i = 0; i < queue.size(); ++i) placed.push_back(place(rules_, teams_, queue[i], i, now));
  std::sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) { return served_before(a.slot, b.slot); });
  std::vector<QueueEstimate> out(queue.size());
  std::unordered_map<std::string, int> ahead;  // queue key -> conversations placed so far
  for (const Placed& p : placed) {
    const int position = ++ahead[p.queue_key];
    out[p.slot.index] = {p.slot.id, position, expected_wait(position, throughput.for_team(p.team))};
  }
  return out;
}

}  // namespace omnigate::workbench::router
