#include "gateway/store/read_mark_store.h"

#include <string>

namespace omnigate::store {

std::int64_t ReadMarkStore::mark(std::int64_t agent_id, std::int64_t conversation_id, std::int64_t seq) {
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared(
      "og_read_mark",
      "WITH marked AS (INSERT INTO conversation_reads AS r (agent_id, conversation_id, read_seq) "
      "  SELECT $1, c.id, LEAST($3::bigint, c.last_seq) FROM conversations c WHERE c.id = $2 "
      "  ON CONFLICT (agent_id, conversation_id) DO UPDATE "
      "    SET read_seq = GREATEST(r.read_seq, EXCLUDED.read_seq), read_at = now() "
      "  RETURNING r.read_seq) "
      "SELECT read_seq, pg_notify('omnigate_conversations', json_build_object('read', json_build_object("
      "  'agent', $1::bigint, 'conversation', $2::bigint, 'seq', read_seq))::text) FROM marked",
      {std::to_string(agent_id), std::to_string(conversation_id), std::to_string(seq)});
  return r.rows() ? r.int64(0, 0) : -1;
}

std::map<std::int64_t, ReadState> ReadMarkStore::states(std::int64_t agent_id,
                                                        const std::vector<std::int64_t>& conversation_ids) {
  std::map<std::int64_t, ReadState> out;
  if (conversation_ids.empty()) return out;
  auto conn = pool_.acquire();
  // Each count walks messages' (conversation_id, seq) key from the mark,
  // and stops at the cap.
  auto r = conn->exec_prepared(
      "og_read_states",
      "SELECT c.id, coalesce(r.read_seq, 0), "
      "  (SELECT count(*) FROM (SELECT 1 FROM messages m WHERE m.conversation_id = c.id "
      "     AND m.seq > coalesce(r.read_seq, 0) AND m.direction = 'in' LIMIT " +
          std::to_string(kUnreadCountCap) +
          ") n) "
          "FROM unnest($2::bigint[]) AS c(id) "
          "LEFT JOIN conversation_reads r ON r.agent_id = $1 AND r.conversation_id = c.id",
      {std::to_string(agent_id), db::array_literal(conversation_ids)});
  for (int i = 0; i < r.rows(); ++i) out[r.int64(i, 0)] = {r.int64(i, 1), r.int64(i, 2)};
  return out;
}

}  // namespace omnigate::store
