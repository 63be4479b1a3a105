#pragma once
// Presence by socket liveness, shared by every node: each node records which
// agents have at least one workbench socket open on it (agent_sockets), and
// refreshes its rows while it lives. An agent is online while any live node
// has a socket for them; a node that dies stops refreshing, its rows go
// stale, and whichever node sweeps next settles those agents.
//
// What an agent chose themselves wins over sockets: a socket never turns
// an agent who set away or offline back online; when their last socket has
// closed they are offline (an explicit offline stays explicit).
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "gateway/db/pool.h"

namespace omnigate::store {

class PresenceStore {
 public:
  // Rows not refreshed within `stale_after` belong to a dead node.
  PresenceStore(db::ConnectionPool& pool, std::chrono::seconds stale_after) : pool_(pool), stale_after_(stale_after) {}

  // The node's first socket for the agent: records it and sets the agent
  // online unless they chose their presence themselves. True when the
  // presence changed.
  bool opened(const std::string& node, std::int64_t agent);
  // The node's last socket for the agent has closed (forgets the row only;
  // settle() decides, after a grace period).
  void closed(const std::string& node, std::int64_t agent);
  // Offline unless a live node still has a socket for the agent. True when
  // the presence changed.
  bool settle(std::int64_t agent);
  // Keeps the node's rows live: exactly `agents` (the ones with a socket on
  // the node now), so a write that failed earlier heals here.
  void heartbeat(const std::string& node, const std::vector<std::int64_t>& agents);
  // Drops rows of dead nodes and settles their agents; returns those agents.
  std::vector<std::int64_t> sweep();
  // A node shutting down: forgets its rows; returns their agents (to settle).
  std::vector<std::int64_t> forget_node(const std::string& node);

 private:
  db::ConnectionPool& pool_;
  std::chrono::seconds stale_after_;
};

}  // namespace omnigate::store
