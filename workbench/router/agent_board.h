#pragma once
// The agents during one route() call: the caller's AgentState snapshots plus
// flat per-channel columns (load, capacity) so candidate pools compare agents
// without map lookups. Every assignment goes through take(), which also
// writes the new load and last_assigned_at back into the caller's snapshot.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "workbench/router/types.h"

namespace omnigate::workbench::router {

class AgentBoard {
 public:
  explicit AgentBoard(std::vector<AgentState>& agents);

  int size() const { return static_cast<int>(agents_.size()); }
  const AgentState& agent(int i) const { return agents_[static_cast<std::size_t>(i)]; }
  std::optional<int> index_of(std::int64_t agent_id) const;

  // A small integer for a channel type; its columns are filled on first use.
  int channel(const std::string& channel_type);

  bool online(int i) const { return agent(i).presence == Presence::online; }
  int capacity(int i, int channel) const { return capacity_[at(channel)][at(i)]; }
  int load(int i, int channel) const { return load_[at(channel)][at(i)]; }
  // Online and below capacity for the channel type.
  bool available(int i, int channel) const { return online(i) && load(i, channel) < capacity(i, channel); }

  // Longest-idle order: the later of the last assignment and coming online,
  // then the order of assignments within this call (all made at one `now`).
  std::array<std::int64_t, 2> idle_key(int i) const { return {idle_since_us_[at(i)], tick_[at(i)]}; }
  // Bumped by take(), so pools can tell that an entry's key is out of date.
  std::uint32_t version(int i) const { return version_[at(i)]; }

  void take(int i, int channel, TimePoint now);

 private:
  static std::size_t at(int i) { return static_cast<std::size_t>(i); }

  std::vector<AgentState>& agents_;
  std::unordered_map<std::int64_t, int> by_id_;
  std::unordered_map<std::string, int> channels_;
  std::vector<std::string> channel_names_;
  std::vector<std::vector<int>> load_;      // [channel][agent]
  std::vector<std::vector<int>> capacity_;  // [channel][agent]
  std::vector<std::int64_t> idle_since_us_;
  std::vector<std::int64_t> tick_;
  std::vector<std::uint32_t> version_;
  std::int64_t next_tick_ = 1;
};

}  // namespace omnigate::workbench::router
