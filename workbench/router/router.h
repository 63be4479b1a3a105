#pragma once
// The routing engine: given the agents and the waiting conversations (both
// snapshots the caller loaded) and the time, decide who gets what. Pure and
// deterministic: no I/O, no clock, no threads; the only state kept between
// calls is each round-robin target's cursor (the last agent it chose).
//
// One route() call, in order:
//  1. each conversation finds its target (rules.h, target_path.h), moved on
//     by the timeouts that ran out;
//  2. conversations are served by effective priority (priority + VIP boost +
//     rule and target boosts, highest first), then the oldest first;
//  3. a returning contact's last agent (sticky, when enabled) gets it if
//     online with free capacity; if that agent is online but full, the
//     conversation waits for them up to the sticky wait;
//  4. otherwise the target's strategy picks an online agent of its team with
//     its skills and free capacity for the channel type, never one in
//     declined_by; manual targets pick nobody.
// Each assignment adds to the agent's load at once, so one plan never puts an
// agent over capacity. The caller applies the plan with an atomic capacity
// check in the store; a decision that loses a race there is simply routed
// again on the next call. Not thread-safe: one assigner loop owns a Router.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "workbench/router/rules.h"
#include "workbench/router/target_path.h"
#include "workbench/router/types.h"

namespace omnigate::workbench::router {

class Router {
 public:
  explicit Router(Rules rules = Rules(), std::vector<Team> teams = {});

  // Both keep the round-robin cursors.
  void set_rules(Rules rules) { rules_ = std::move(rules); }
  void set_teams(const std::vector<Team>& teams) { teams_ = TeamDirectory(teams); }
  const Rules& rules() const { return rules_; }

  // Updates `agents` (load, last_assigned_at of those assigned) and `queue`
  // (target_index/target_since of the moved) as the returned plan says.
  Plan route(std::vector<AgentState>& agents, std::vector<WaitingConversation>& queue, TimePoint now);

  // Position among the conversations competing for the same agents (same
  // team, skills and channel type), 1 = next; the wait follows from the
  // throughput of the target's team (else the overall one): position divided
  // by the assignment rate, or without a rate, position / slots rounded up
  // times the handle time. Both grow with the position.
  QueueEstimate estimate(const WaitingConversation& conversation, const std::vector<WaitingConversation>& queue,
                         const ThroughputByTeam& throughput, TimePoint now) const;
  // One estimate per conversation of `queue`, in the same order.
  std::vector<QueueEstimate> estimate_all(const std::vector<WaitingConversation>& queue,
                                          const ThroughputByTeam& throughput, TimePoint now) const;

 private:
  Rules rules_;
  TeamDirectory teams_;
  std::map<std::string, std::int64_t> round_robin_cursors_;  // PoolSpec::members_key -> last agent chosen
};

}  // namespace omnigate::workbench::router
