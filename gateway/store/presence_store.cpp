#include "gateway/store/presence_store.h"

namespace omnigate::store {

bool PresenceStore::opened(const std::string& node, std::int64_t agent) {
  auto conn = pool_.acquire();
  db::Transaction tx(*conn);
  conn->exec(
      "INSERT INTO agent_sockets (node_id, agent_id) VALUES ($1, $2) "
      "ON CONFLICT (agent_id, node_id) DO UPDATE SET seen_at = now()",
      {node, std::to_string(agent)});
  auto r = conn->exec(
      "UPDATE agents SET presence = 'online', presence_set_by = 'socket', presence_since = now() "
      "WHERE id = $1 AND presence <> 'online' AND presence_set_by <> 'agent' AND NOT disabled",
      {std::to_string(agent)});
  tx.commit();
  return r.affected() > 0;
}

void PresenceStore::closed(const std::string& node, std::int64_t agent) {
  auto conn = pool_.acquire();
  conn->exec("DELETE FROM agent_sockets WHERE node_id = $1 AND agent_id = $2", {node, std::to_string(agent)});
}

bool PresenceStore::settle(std::int64_t agent) {
  auto conn = pool_.acquire();
  auto r = conn->exec(
      "UPDATE agents SET presence = 'offline', presence_set_by = 'socket', presence_since = now() "
      "WHERE id = $1 AND presence <> 'offline' AND NOT EXISTS ("
      "  SELECT 1 FROM agent_sockets s WHERE s.agent_id = $1 AND s.seen_at > now() - make_interval(secs => $2))",
      {std::to_string(agent), std::to_string(stale_after_.count())});
  return r.affected() > 0;
}

void PresenceStore::heartbeat(const std::string& node, const std::vector<std::int64_t>& agents) {
  auto conn = pool_.acquire();
  db::Transaction tx(*conn);
  const std::string ids = db::array_literal(agents);
  conn->exec("DELETE FROM agent_sockets WHERE node_id = $1 AND NOT (agent_id = ANY($2::bigint[]))", {node, ids});
  conn->exec(
      "INSERT INTO agent_sockets (node_id, agent_id) SELECT $1, a.id FROM agents a WHERE a.id = ANY($2::bigint[]) "
      "ON CONFLICT (agent_id, node_id) DO UPDATE SET seen_at = now()",
      {node, ids});
  tx.commit();
}

std::vector<std::int64_t> PresenceStore::sweep() {
  std::vector<std::int64_t> agents;
  {
    auto conn = pool_.acquire();
    auto r = conn->exec(
        "DELETE FROM agent_sockets WHERE seen_at <= now() - make_interval(secs => $1) RETURNING agent_id",
        {std::to_string(stale_after_.count())});
    for (int i = 0; i < r.rows(); ++i) agents.push_back(r.int64(i, 0));
  }
  for (auto agent : agents) settle(agent);
  return agents;
}

std::vector<std::int64_t> PresenceStore::forget_node(const std::string& node) {
  auto conn = pool_.acquire();
  auto r = conn->exec("DELETE FROM agent_sockets WHERE node_id = $1 RETURNING agent_id", {node});
  std::vector<std::int64_t> agents;
  for (int i = 0; i < r.rows(); ++i) agents.push_back(r.int64(i, 0));
  return agents;
}

}  // namespace omnigate::store
