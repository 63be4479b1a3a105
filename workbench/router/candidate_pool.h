#pragma once
// The agents one target can use for one channel type, ordered by the
// target's strategy so the best available agent is found in O(log n), not by
// scanning every agent for every conversation:
//   least_busy / longest_idle: a min-heap keyed by (load, idle) / (idle).
//     Keys only grow during a route() call (take() adds load and moves the
//     idle time to now), so entries are refreshed lazily: an entry whose
//     agent changed since it was pushed is re-pushed with its current key
//     when it reaches the top; an agent with no free capacity left is dropped.
//   round_robin: the available agents by id and a cursor (the last agent the
//     target chose); the next pick is the first id after the cursor, wrapping.
//   manual: never picks.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "workbench/router/agent_board.h"
#include "workbench/router/rules.h"

namespace omnigate::workbench::router {

class CandidatePool {
 public:
  // `members`: online agents of the target with capacity > 0 for `channel`.
  CandidatePool(const AgentBoard& board, std::vector<int> members, int channel, Strategy strategy,
                std::optional<std::int64_t> round_robin_cursor);

  // Online agents that could ever serve here (whether or not they are full).
  int staffed() const { return staffed_; }
  // The best member with free capacity whose id is not in `excluded`; the
  // caller takes it on the board and then calls chose().
  std::optional<int> pick(const std::vector<std::int64_t>& excluded);
  void chose(int agent);
  std::optional<std::int64_t> round_robin_cursor() const { return cursor_; }

 private:
  using Key = std::array<std::int64_t, 4>;
  struct Entry {
    Key key;
    int agent;
    std::uint32_t version;
  };

  Key key_of(int agent) const;
  void push(int agent);
  std::optional<int> pick_from_heap(const std::vector<std::int64_t>& excluded);
  std::optional<int> pick_round_robin(const std::vector<std::int64_t>& excluded);

  const AgentBoard& board_;
  int channel_;
  Strategy strategy_;
  int staffed_ = 0;
  std::vector<Entry> heap_;
  std::map<std::int64_t, int> by_id_;  // round robin: available members, id -> board index
  std::optional<std::int64_t> cursor_;
};

}  // namespace omnigate::workbench::router
