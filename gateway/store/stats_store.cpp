#include "gateway/store/stats_store.h"

#include "gateway/store/columns.h"

namespace omnigate::store {

WorkbenchStats StatsStore::read() {
  WorkbenchStats s;
  auto conn = pool_.acquire();
  s.queue = AssignmentStore(pool_).queue_counts(*conn);
  s.now = timestamp_at(conn->exec("SELECT now()"), 0, 0);
  s.agents_online = static_cast<int>(
      conn->exec("SELECT count(*) FROM agents WHERE presence = 'online' AND NOT disabled").int64(0, 0));
  // messages.created_at has a BRIN index: recent rows are found without a scan.
  auto traffic = conn->exec_prepared(
      "og_stats_traffic",
      "SELECT ch.type, count(*) FROM messages m JOIN channels ch ON ch.id = m.channel_id "
      "WHERE m.created_at > now() - interval '15 minutes' GROUP BY ch.type ORDER BY ch.type",
      {});
  for (int i = 0; i < traffic.rows(); ++i) s.messages_15min[traffic.str(i, 0)] = traffic.int64(i, 1);
  // Today's first responses (UTC day), from the change history.
  auto first = conn->exec_prepared(
      "og_stats_first_response",
      "SELECT count(*), avg(extract(epoch FROM c.first_response_at - c.opened_at)) "
      "FROM conversation_changes x JOIN conversations c ON c.id = x.conversation_id "
      "WHERE x.kind = 'first_response' AND x.at >= date_trunc('day', now()) "
      "AND c.first_response_at >= date_trunc('day', now())",
      {});
  s.first_responses_today = static_cast<int>(first.int64(0, 0));
  if (!first.is_null(0, 1)) s.average_first_response_s = std::stod(first.str(0, 1));
  return s;
}

}  // namespace omnigate::store
