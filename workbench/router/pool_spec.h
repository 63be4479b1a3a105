#pragma once
// Which agents a conversation's current target can use, with its skill
// templates filled in from the conversation. Conversations whose specs are
// equal share one CandidatePool within a route() call, and one round-robin
// cursor across calls.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "workbench/router/rules.h"
#include "workbench/router/target_path.h"
#include "workbench/router/types.h"

namespace omnigate::workbench::router {

struct PoolSpec {
  bool has_team = false;
  std::optional<std::int64_t> team;  // empty with has_team: unknown team, nobody serves
  std::vector<std::string> all;      // sorted, unique
  std::vector<std::string> any;      // sorted, unique; empty: no any-of requirement
  Strategy strategy = Strategy::least_busy;
  std::string channel_type;

  // Team and skills: the agents, whatever the channel. Keys round-robin cursors.
  std::string members_key() const;
  // The agents for this channel type: conversations with the same queue key
  // compete for the same agents (queue positions are counted per queue key).
  std::string queue_key() const;
  // Also the strategy: one CandidatePool per pool key.
  std::string pool_key() const;

  // The team and skill requirements (not presence or capacity).
  bool serves(const AgentState& agent) const;
};

PoolSpec pool_spec(const ResolvedTarget& target, const WaitingConversation& conversation);

}  // namespace omnigate::workbench::router
