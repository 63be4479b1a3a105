#include "workbench/router/types.h"

namespace omnigate::workbench::router {

namespace {

int lookup(const std::map<std::string, int>& m, std::string_view key) {
  auto it = m.find(std::string(key));
  return it == m.end() ? -1 : it->second;
}

}  // namespace

int capacity_for(const AgentState& agent, std::string_view channel_type) {
  int n = lookup(agent.capacity, channel_type);
  if (n < 0) n = lookup(agent.capacity, kDefaultCapacityKey);
  return n < 0 ? 0 : n;
}

int load_for(const AgentState& agent, std::string_view channel_type) {
  const int n = lookup(agent.load, channel_type);
  return n < 0 ? 0 : n;
}

const Throughput& ThroughputByTeam::for_team(std::optional<std::int64_t> team) const {
  if (team) {
    auto it = teams.find(*team);
    if (it != teams.end()) return it->second;
  }
  return all;
}

}  // namespace omnigate::workbench::router
