#include "gateway/store/outbox_store.h"

#include "gateway/store/message_store.h"

namespace omnigate::store {

std::vector<adapters::Outbound> OutboxStore::claim(int limit, std::chrono::seconds lease) {
  auto conn = pool_.acquire();
  // One statement, so the lease is committed before any delivery starts.
  auto r = conn->exec_prepared(
      "og_outbox_claim",
      std::string("WITH due AS (SELECT o.message_id FROM outbox o WHERE o.next_attempt_at <= now() "
                  "  ORDER BY o.next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED), "
                  "leased AS (UPDATE outbox o SET attempts = o.attempts + 1, "
                  "  next_attempt_at = now() + make_interval(secs => $2::double precision) "
                  "  FROM due WHERE o.message_id = due.message_id RETURNING o.message_id, o.attempts) "
                  "SELECT l.attempts, coalesce(ci.external_id, ''), ct.name, ") +
          kMessageColumns +
          " FROM leased l JOIN messages m ON m.id = l.message_id "
          "JOIN conversations cv ON cv.id = m.conversation_id "
          "JOIN contacts ct ON ct.id = cv.contact_id "
          "LEFT JOIN LATERAL (SELECT external_id FROM contact_identities ci "
          "  WHERE ci.contact_id = cv.contact_id AND ci.channel_id = m.channel_id LIMIT 1) ci ON true "
          "ORDER BY m.id",
      {std::to_string(limit), std::to_string(lease.count())});
  std::vector<adapters::Outbound> out;
  for (int i = 0; i < r.rows(); ++i) {
    adapters::Outbound o;
    o.attempt = static_cast<int>(r.int64(i, 0));
    o.recipient_id = r.str(i, 1);
    o.recipient_name = r.str(i, 2);
    o.message = message_from_row(r, i, 3);
    out.push_back(std::move(o));
  }
  return out;
}

bool OutboxStore::mark_sent(const adapters::Outbound& o, const adapters::Delivery& d) {
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared(
      "og_outbox_sent",
      "WITH done AS (DELETE FROM outbox WHERE message_id = $1 AND attempts = $2 RETURNING message_id) "
      "UPDATE messages SET delivery_status = 'sent', delivery_error = '', delivered_at = now(), "
      "  metadata = CASE WHEN $3 = '' THEN metadata "
      "    ELSE jsonb_set(coalesce(metadata, '{}'), '{delivery}', jsonb_build_object('external_id', $3::text)) END "
      "WHERE id IN (SELECT message_id FROM done)",
      {std::to_string(o.message.id), std::to_string(o.attempt), d.external_id});
  return r.affected() > 0;
}

bool OutboxStore::schedule_retry(const adapters::Outbound& o, const std::string& error,
                                 std::chrono::milliseconds delay) {
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared(
      "og_outbox_retry",
      "WITH again AS (UPDATE outbox SET next_attempt_at = now() + make_interval(secs => $3::double precision / 1000), "
      "  last_error = $4 WHERE message_id = $1 AND attempts = $2 RETURNING message_id) "
      "UPDATE messages SET delivery_error = $4 WHERE id IN (SELECT message_id FROM again)",
      {std::to_string(o.message.id), std::to_string(o.attempt), std::to_string(delay.count()), error});
  return r.affected() > 0;
}

bool OutboxStore::mark_failed(const adapters::Outbound& o, const std::string& error) {
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared(
      "og_outbox_failed",
      "WITH done AS (DELETE FROM outbox WHERE message_id = $1 AND attempts = $2 RETURNING message_id) "
      "UPDATE messages SET delivery_status = 'failed', delivery_error = $3 "
      "WHERE id IN (SELECT message_id FROM done)",
      {std::to_string(o.message.id), std::to_string(o.attempt), error});
  return r.affected() > 0;
}

std::int64_t OutboxStore::pending_count() {
  auto conn = pool_.acquire();
  return conn->exec("SELECT count(*) FROM outbox").int64(0, 0);
}

}  // namespace omnigate::store
