#include "workbench/router/agent_board.h"

#include <algorithm>

namespace omnigate::workbench::router {

AgentBoard::AgentBoard(std::vector<AgentState>& agents)
    : agents_(agents), idle_since_us_(agents.size()), tick_(agents.size(), 0), version_(agents.size(), 0) {
  by_id_.reserve(agents.size());
  for (std::size_t i = 0; i < agents.size(); ++i) {
    by_id_.emplace(agents[i].id, static_cast<int>(i));
    const TimePoint idle_since = std::max(agents[i].last_assigned_at, agents[i].online_since);
    idle_since_us_[i] = idle_since.time_since_epoch().count();
  }
}

std::optional<int> AgentBoard::index_of(std::int64_t agent_id) const {
  auto it = by_id_.find(agent_id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

int AgentBoard::channel(const std::string& channel_type) {
  auto [it, inserted] = channels_.emplace(channel_type, static_cast<int>(channel_names_.size()));
  if (!inserted) return it->second;
  channel_names_.push_back(channel_type);
  std::vector<int> load(agents_.size());
  std::vector<int> capacity(agents_.size());
  for (std::size_t i = 0; i < agents_.size(); ++i) {
    load[i] = load_for(agents_[i], channel_type);
    capacity[i] = capacity_for(agents_[i], channel_type);
  }
  load_.push_back(std::move(load));
  capacity_.push_back(std::move(capacity));
  return it->second;
}

void AgentBoard::take(int i, int channel, TimePoint now) {
  AgentState& a = agents_[at(i)];
  ++load_[at(channel)][at(i)];
  ++a.load[channel_names_[at(channel)]];
  a.last_assigned_at = now;
  idle_since_us_[at(i)] = std::max(now, a.online_since).time_since_epoch().count();
  tick_[at(i)] = next_tick_++;
  ++version_[at(i)];
}

}  // namespace omnigate::workbench::router
