#include "gateway/store/outbox_store.h"

#include <algorithm>
#include <map>
#include <set>

#include "adapters/common/crypto.h"
#include "gateway/store/blob_store.h"
#include "gateway/store/message_store.h"

namespace omnigate::store {

namespace {

// How much of a conversation an outbound email gets as Outbound::thread.
constexpr int kThreadMessages = 20;

// The thread's messages in the shape kMessageColumns reads ("m"), minus
// metadata.email.full_text: the quoted original of every inbound mail can be
// megabytes, and no reply needs it.
const char* const kThreadRows =
    "(SELECT id, conversation_id, seq, direction, sender_type, sender_id, sender_name, channel_id, external_id, "
    "  parts, metadata #- '{email,full_text}' AS metadata, created_at, channel_timestamp, delivery_status, "
    "  delivery_error FROM messages)";

// The select list that announces each changed message of the CTE `m` (see
// kDeliveryChannel): part of the statement that changes the state, so the
// announcement costs no round trip and is sent exactly when it commits.
std::string announce_delivery() {
  return std::string("pg_notify('") + kDeliveryChannel +
         "', json_build_object('message', m.id, 'conversation', m.conversation_id, 'seq', m.seq, "
         "'status', m.delivery_status, 'error', left(m.delivery_error, " +
         std::to_string(kAnnouncedErrorChars) + "))::text)";
}

}  // namespace

std::vector<adapters::Outbound> OutboxStore::claim(int limit, std::chrono::seconds lease) {
  auto conn = pool_.acquire();
  // One statement, so the lease is committed before any delivery starts.
  // The limit is part of the text (one prepared statement per limit), not a
  // parameter: with LIMIT $1 the generic plan PostgreSQL switches to after
  // five runs guesses a tenth of the outbox, and hash-joins and seq-scans
  // outbox and messages on every claim (360 ms a claim with 120,000 queued,
  // against 1 ms with the literal).
  const std::string batch = std::to_string(std::max(1, limit));
  const std::string statement = "og_outbox_claim_" + batch;
  auto r = conn->exec_prepared(
      statement.c_str(),
      std::string("WITH due AS (SELECT o.message_id FROM outbox o WHERE o.next_attempt_at <= now() "
                  "  ORDER BY o.next_attempt_at LIMIT ") + batch + " FOR UPDATE SKIP LOCKED), "
                  "leased AS (UPDATE outbox o SET attempts = o.attempts + 1, "
                  "  next_attempt_at = now() + make_interval(secs => $1::double precision) "
                  "  FROM due WHERE o.message_id = due.message_id RETURNING o.message_id, o.attempts) "
                  "SELECT l.attempts, coalesce(ci.external_id, ''), ct.name, ch.type, " +
          kMessageColumns +
          " FROM leased l JOIN messages m ON m.id = l.message_id "
          "JOIN conversations cv ON cv.id = m.conversation_id "
          "JOIN contacts ct ON ct.id = cv.contact_id "
          "JOIN channels ch ON ch.id = m.channel_id "
          "LEFT JOIN LATERAL (SELECT external_id FROM contact_identities ci "
          "  WHERE ci.contact_id = cv.contact_id AND ci.channel_id = m.channel_id LIMIT 1) ci ON true "
          "ORDER BY m.id",
      {std::to_string(lease.count())});
  std::vector<adapters::Outbound> out;
  std::vector<std::int64_t> needs_thread;
  for (int i = 0; i < r.rows(); ++i) {
    adapters::Outbound o;
    o.attempt = static_cast<int>(r.int64(i, 0));
    o.recipient_id = r.str(i, 1);
    o.recipient_name = r.str(i, 2);
    o.message = message_from_row(r, i, 4);
    if (r.str(i, 3) == schema::to_string(schema::ChannelType::email)) needs_thread.push_back(o.message.id);
    out.push_back(std::move(o));
  }
  if (!needs_thread.empty()) fill_threads(*conn, out, needs_thread);
  fill_files(*conn, out);
  return out;
}

void OutboxStore::fill_files(db::PgConnection& conn, std::vector<adapters::Outbound>& claimed) {
  std::set<std::string> wanted;
  for (const auto& o : claimed)
    for (const auto& p : o.message.parts)
      if (p.extra.isObject() && p.extra["sha256"].isString() && is_sha256_hex(p.extra["sha256"].asString()))
        wanted.insert(p.extra["sha256"].asString());
  if (wanted.empty()) return;  // the common case: text replies cost nothing here
  std::string list = "{";
  for (const auto& sha : wanted) list += (list.size() > 1 ? "," : "") + sha;
  list += "}";
  auto r = conn.exec("SELECT sha256, encode(bytes, 'hex') FROM blobs WHERE sha256 = ANY($1::text[])", {list});
  std::map<std::string, std::string> bytes;
  for (int i = 0; i < r.rows(); ++i)
    if (auto b = crypto::from_hex(r.text(i, 1))) bytes[r.str(i, 0)] = std::move(*b);
  for (auto& o : claimed)
    for (const auto& p : o.message.parts)
      if (p.extra.isObject() && p.extra["sha256"].isString()) {
        auto it = bytes.find(p.extra["sha256"].asString());
        if (it != bytes.end()) o.files[it->first] = it->second;
      }
}

void OutboxStore::fill_threads(db::PgConnection& conn, std::vector<adapters::Outbound>& claimed,
                               const std::vector<std::int64_t>& message_ids) {
  // Per claimed message: the latest kThreadMessages messages before it
  // (private notes and system messages left out) and, if older than those,
  // the customer's latest, so a long run of our own replies never hides
  // what we are answering. One query for the whole batch.
  auto r = conn.exec_prepared(
      "og_outbox_thread",
      std::string("SELECT o.id, ") + kMessageColumns +
          " FROM unnest($1::bigint[]) AS o(id) "
          "JOIN messages om ON om.id = o.id "
          "CROSS JOIN LATERAL ("
          "  (SELECT x.id FROM messages x WHERE x.conversation_id = om.conversation_id AND x.seq < om.seq "
          "     AND x.direction IN ('in', 'out') ORDER BY x.seq DESC LIMIT " +
          std::to_string(kThreadMessages) +
          ")"
          "  UNION "
          "  (SELECT x.id FROM messages x WHERE x.conversation_id = om.conversation_id AND x.seq < om.seq "
          "     AND x.direction = 'in' ORDER BY x.seq DESC LIMIT 1)) t "
          "JOIN " +
          kThreadRows +
          " m ON m.id = t.id "
          "ORDER BY o.id, m.seq",
      {db::array_literal(message_ids)});
  std::map<std::int64_t, std::vector<schema::Message>> threads;
  for (int i = 0; i < r.rows(); ++i) threads[r.int64(i, 0)].push_back(message_from_row(r, i, 1));
  for (adapters::Outbound& o : claimed) {
    auto it = threads.find(o.message.id);
    if (it != threads.end()) o.thread = std::move(it->second);
  }
}

bool OutboxStore::mark_sent(const adapters::Outbound& o, const adapters::Delivery& d) {
  return !mark_all_sent({{&o, d.external_id}}).empty();
}

std::vector<std::int64_t> OutboxStore::mark_all_sent(const std::vector<Sent>& sent) {
  if (sent.empty()) return {};
  std::vector<std::int64_t> ids, attempts;
  std::vector<std::string> external_ids;
  for (const Sent& s : sent) {
    ids.push_back(s.outbound->message.id);
    attempts.push_back(s.outbound->attempt);
    external_ids.push_back(s.external_id);
  }
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared(
      "og_outbox_sent",
      "WITH v AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS v(message_id, attempts, ext)), "
      "done AS (DELETE FROM outbox o USING v WHERE o.message_id = v.message_id AND o.attempts = v.attempts "
      "  RETURNING o.message_id, v.ext), "
      "m AS (UPDATE messages m SET delivery_status = 'sent', delivery_error = '', delivered_at = now(), "
      "  metadata = CASE WHEN done.ext = '' THEN m.metadata "
      "    ELSE jsonb_set(coalesce(m.metadata, '{}'), '{delivery}', jsonb_build_object('external_id', done.ext)) END, "
      // The channel's id becomes the message's own unless it has one (a
      // client_msg_id) or the id is taken. Two messages given one id at the
      // same instant could still collide on the unique index; the statement
      // then fails, the dispatcher marks them one by one, and the one that
      // fails is retried after its lease and finds the id taken.
      "  external_id = CASE WHEN m.external_id IS NULL AND done.ext <> '' AND NOT EXISTS ("
      "    SELECT 1 FROM messages x WHERE x.channel_id = m.channel_id AND x.external_id = done.ext) "
      "    THEN done.ext ELSE m.external_id END "
      "FROM done WHERE m.id = done.message_id RETURNING m.*) "
      "SELECT m.id, " + announce_delivery() + " FROM m",
      {db::array_literal(ids), db::array_literal(attempts), db::array_literal(external_ids)});
  std::vector<std::int64_t> marked;
  for (int i = 0; i < r.rows(); ++i) marked.push_back(r.int64(i, 0));
  return marked;
}

int OutboxStore::release(const std::vector<const adapters::Outbound*>& unsent) {
  if (unsent.empty()) return 0;
  std::vector<std::int64_t> ids, attempts;
  for (const adapters::Outbound* o : unsent) {
    ids.push_back(o->message.id);
    attempts.push_back(o->attempt);
  }
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared(
      "og_outbox_release",
      "UPDATE outbox o SET next_attempt_at = now(), attempts = o.attempts - 1 "
      "FROM unnest($1::bigint[], $2::bigint[]) AS v(message_id, attempts) "
      "WHERE o.message_id = v.message_id AND o.attempts = v.attempts RETURNING o.message_id",
      {db::array_literal(ids), db::array_literal(attempts)});
  return r.rows();
}

bool OutboxStore::schedule_retry(const adapters::Outbound& o, const std::string& error,
                                 std::chrono::milliseconds delay) {
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared(
      "og_outbox_retry",
      "WITH again AS (UPDATE outbox SET next_attempt_at = now() + make_interval(secs => $3::double precision / 1000), "
      "  last_error = $4 WHERE message_id = $1 AND attempts = $2 RETURNING message_id), "
      "m AS (UPDATE messages SET delivery_error = $4 WHERE id IN (SELECT message_id FROM again) RETURNING *) "
      "SELECT " + announce_delivery() + " FROM m",
      {std::to_string(o.message.id), std::to_string(o.attempt), std::to_string(delay.count()), error});
  return r.rows() > 0;
}

bool OutboxStore::mark_failed(const adapters::Outbound& o, const std::string& error) {
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared(
      "og_outbox_failed",
      "WITH done AS (DELETE FROM outbox WHERE message_id = $1 AND attempts = $2 RETURNING message_id), "
      "m AS (UPDATE messages SET delivery_status = 'failed', delivery_error = $3 "
      "  WHERE id IN (SELECT message_id FROM done) RETURNING *) "
      "SELECT " + announce_delivery() + " FROM m",
      {std::to_string(o.message.id), std::to_string(o.attempt), error});
  return r.rows() > 0;
}

OutboxStore::Retry OutboxStore::retry_failed(std::int64_t conversation_id, std::int64_t message_id) {
  auto conn = pool_.acquire();
  // One statement: the message back to pending, its outbox row due now with
  // the attempts counted afresh, and the announcement, all in one commit.
  // A concurrent retry re-checks the row after ours commits and finds it
  // pending, so only one of them queues the message.
  auto r = conn->exec_prepared(
      "og_outbox_retry_failed",
      "WITH m AS (UPDATE messages SET delivery_status = 'pending', delivery_error = '', delivered_at = NULL "
      "  WHERE id = $1 AND conversation_id = $2 AND direction = 'out' AND delivery_status = 'failed' RETURNING *), "
      "queued AS (INSERT INTO outbox (message_id, channel_id) SELECT id, channel_id FROM m "
      "  ON CONFLICT (message_id) DO UPDATE SET attempts = 0, next_attempt_at = now(), last_error = '' "
      "  RETURNING message_id) "
      "SELECT " + std::string(kMessageColumns) + ", " + announce_delivery() + " FROM m",
      {std::to_string(message_id), std::to_string(conversation_id)});
  Retry out;
  if (r.rows() > 0) {
    out.outcome = Retry::Outcome::queued;
    out.message = message_from_row(r, 0);
    return out;
  }
  auto found = conn->exec_prepared(
      "og_outbox_retry_check",
      "SELECT 1 FROM messages WHERE id = $1 AND conversation_id = $2 AND direction = 'out'",
      {std::to_string(message_id), std::to_string(conversation_id)});
  out.outcome = found.rows() > 0 ? Retry::Outcome::not_failed : Retry::Outcome::not_found;
  return out;
}

std::int64_t OutboxStore::pending_count() {
  auto conn = pool_.acquire();
  return conn->exec("SELECT count(*) FROM outbox").int64(0, 0);
}

}  // namespace omnigate::store
