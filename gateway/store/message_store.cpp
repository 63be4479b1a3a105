#include "gateway/store/message_store.h"

#include <algorithm>
#include <map>
#include <thread>
#include <tuple>

#include "gateway/store/columns.h"
#include "schema/json.h"

namespace omnigate::store {

const char* const kMessageColumns =
    "m.id, m.conversation_id, m.seq, m.direction, m.sender_type, m.sender_id, m.sender_name, m.channel_id, "
    "m.external_id, m.parts::text, m.metadata::text, m.created_at, m.channel_timestamp, m.delivery_status, "
    "m.delivery_error";

schema::Message message_from_row(const db::PgResult& r, int row) {
  schema::Message m;
  m.id = r.int64(row, 0);
  m.conversation_id = r.int64(row, 1);
  m.seq = r.int64(row, 2);
  m.direction = schema::direction_from_string(r.text(row, 3));
  m.sender.type = schema::sender_type_from_string(r.text(row, 4));
  m.sender.id = r.str(row, 5);
  m.sender.name = r.str(row, 6);
  m.channel_id = r.int64(row, 7);
  if (!r.is_null(row, 8)) m.external_id = r.str(row, 8);
  Json::Value parts = schema::parse_json(r.text(row, 9));
  for (const auto& p : parts) m.parts.push_back(schema::part_from_json(p));
  if (!r.is_null(row, 10)) m.metadata = schema::parse_json(r.text(row, 10));
  m.created_at = timestamp_at(r, row, 11);
  m.channel_timestamp = optional_timestamp_at(r, row, 12);
  m.delivery_status = schema::delivery_status_from_string(r.text(row, 13));
  m.delivery_error = r.str(row, 14);
  return m;
}

namespace {

using ContactKey = std::pair<std::int64_t, std::string>;  // (channel_id, external contact id)
using ExternalKey = std::pair<std::int64_t, std::string>;  // (channel_id, external message id)

// (channel_id, text id) keys as two array parameters, for unnest($1, $2).
db::Params key_columns(const std::vector<std::pair<std::int64_t, std::string>>& keys) {
  std::vector<std::int64_t> channels;
  std::vector<std::string> ids;
  for (const auto& [ch, id] : keys) {
    channels.push_back(ch);
    ids.push_back(id);
  }
  return {db::array_literal(channels), db::array_literal(ids)};
}

struct Resolved {
  std::int64_t contact_id = 0;
  std::int64_t conversation_id = 0;  // 0: no open conversation yet
};

// Batch lookups join an unnest() of the keys to LATERAL subqueries with
// LIMIT 1: that keeps them nested-loop index probes under generic plans,
// where a hash join would scan the whole (and, for conversations, constantly
// updated) table for a batch of a few dozen keys.

// Contact and open conversation of each (channel, contact) key that has them.
std::map<ContactKey, Resolved> resolve(db::PgConnection& c, const std::vector<ContactKey>& keys) {
  auto r = c.exec_prepared(
      "og_resolve_contacts",
      "SELECT k.channel_id, k.external_id, i.contact_id, c.id "
      "FROM unnest($1::bigint[], $2::text[]) AS k(channel_id, external_id) "
      "CROSS JOIN LATERAL (SELECT contact_id FROM contact_identities i "
      "  WHERE i.channel_id = k.channel_id AND i.external_id = k.external_id LIMIT 1) i "
      "LEFT JOIN LATERAL (SELECT id FROM conversations c "
      "  WHERE c.channel_id = k.channel_id AND c.contact_id = i.contact_id AND c.status <> 'resolved' LIMIT 1) c ON true",
      key_columns(keys));
  std::map<ContactKey, Resolved> out;
  for (int i = 0; i < r.rows(); ++i)
    out[{r.int64(i, 0), r.str(i, 1)}] = {r.int64(i, 2), r.is_null(i, 3) ? 0 : r.int64(i, 3)};
  return out;
}

// Identity first, contact only for identities this statement really inserted:
// two first messages from one person racing each other make one contact.
void create_contacts(db::PgConnection& c, const std::vector<ContactKey>& keys,
                     const std::vector<std::string>& names) {
  c.exec_prepared(
      "og_create_contacts",
      "WITH k AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) AS k(channel_id, external_id, name)), "
      "ins AS (INSERT INTO contact_identities (channel_id, external_id, channel_type, contact_id) "
      "  SELECT k.channel_id, k.external_id, ch.type, nextval(pg_get_serial_sequence('contacts', 'id')) "
      "  FROM k JOIN channels ch ON ch.id = k.channel_id "
      "  ON CONFLICT DO NOTHING RETURNING channel_id, external_id, contact_id) "
      "INSERT INTO contacts (id, name) "
      "SELECT ins.contact_id, k.name FROM ins JOIN k USING (channel_id, external_id)",
      [&] {
        auto params = key_columns(keys);
        params.push_back(db::array_literal(names));
        return params;
      }());
}

void open_conversations(db::PgConnection& c, const std::vector<std::pair<std::int64_t, std::int64_t>>& pairs) {
  std::vector<std::int64_t> channels, contacts;
  for (const auto& [ch, contact] : pairs) {
    channels.push_back(ch);
    contacts.push_back(contact);
  }
  c.exec_prepared(
      "og_open_conversations",
      "INSERT INTO conversations (channel_id, contact_id) "
      "SELECT * FROM unnest($1::bigint[], $2::bigint[]) "
      "ON CONFLICT (channel_id, contact_id) WHERE status <> 'resolved' DO NOTHING",
      {db::array_literal(channels), db::array_literal(contacts)});
}

// Finds or creates the open conversation of every inbound message that has
// none yet, writing it into conversation_ids.
void assign_conversations(db::PgConnection& c, const std::vector<schema::Message>& in,
                          std::vector<std::int64_t>& conversation_ids) {
  std::vector<ContactKey> keys;
  std::map<ContactKey, std::string> names;
  for (size_t i = 0; i < in.size(); ++i) {
    if (conversation_ids[i]) continue;
    ContactKey k{in[i].channel_id, in[i].sender.id};
    if (names.emplace(k, in[i].sender.name).second) keys.push_back(k);
  }
  if (keys.empty()) return;
  // Sorted keys give every transaction the same lock order.
  std::sort(keys.begin(), keys.end());

  auto found = resolve(c, keys);
  std::vector<ContactKey> missing;
  std::vector<std::string> missing_names;
  for (const auto& k : keys)
    if (!found.count(k)) {
      missing.push_back(k);
      missing_names.push_back(names[k]);
    }
  if (!missing.empty()) {
    create_contacts(c, missing, missing_names);
    found = resolve(c, keys);
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> to_open;
  for (const auto& k : keys) {
    auto it = found.find(k);
    if (it == found.end()) throw db::PgError("contact for " + k.second + " could not be created", "");
    if (!it->second.conversation_id) to_open.emplace_back(k.first, it->second.contact_id);
  }
  if (!to_open.empty()) {
    open_conversations(c, to_open);
    found = resolve(c, keys);
  }
  for (size_t i = 0; i < in.size(); ++i) {
    if (conversation_ids[i]) continue;
    const Resolved& r = found[{in[i].channel_id, in[i].sender.id}];
    if (!r.conversation_id) throw db::PgError("conversation for " + in[i].sender.id + " could not be opened", "");
    conversation_ids[i] = r.conversation_id;
  }
}

std::map<ExternalKey, schema::Message> find_stored(db::PgConnection& c, const std::vector<ExternalKey>& keys) {
  std::map<ExternalKey, schema::Message> out;
  if (keys.empty()) return out;
  auto r = c.exec_prepared(
      "og_find_stored",
      std::string("SELECT ") + kMessageColumns +
          " FROM unnest($1::bigint[], $2::text[]) AS k(channel_id, external_id) "
          "CROSS JOIN LATERAL (SELECT * FROM messages m WHERE m.channel_id = k.channel_id "
          "  AND m.external_id = k.external_id LIMIT 1) m",
      key_columns(keys));
  for (int i = 0; i < r.rows(); ++i) {
    auto m = message_from_row(r, i);
    out.emplace(ExternalKey{m.channel_id, m.external_id}, std::move(m));
  }
  return out;
}

std::string parts_json(const std::vector<schema::Part>& parts) {
  Json::Value a(Json::arrayValue);
  for (const auto& p : parts) a.append(schema::to_json(p));
  return schema::write_json(a);
}

std::optional<std::string> optional_ts(const std::optional<schema::Timestamp>& t) {
  if (!t) return std::nullopt;
  return schema::format_timestamp(*t);
}

}  // namespace

std::vector<StoredMessage> MessageStore::ingest(const std::vector<schema::Message>& messages) {
  if (messages.empty()) return {};
  constexpr int kAttempts = 4;
  for (int attempt = 1;; ++attempt) {
    try {
      auto conn = pool_.acquire();
      return ingest_once(*conn, messages);
    } catch (const db::PgError& e) {
      // 23505: another transaction stored one of these external_ids between
      // our duplicate check and insert (only possible when the same
      // external_id arrives for two different contacts); the retry sees it.
      bool retry = e.transient() || e.sqlstate() == "23505";
      if (!retry || attempt == kAttempts) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
    }
  }
}

std::vector<StoredMessage> MessageStore::ingest_once(db::PgConnection& c, const std::vector<schema::Message>& in) {
  const size_t n = in.size();
  std::vector<StoredMessage> out(n);
  // Within the batch, later copies of an external_id point at the first one.
  std::vector<long> first_copy(n, -1);
  std::map<ExternalKey, size_t> seen;
  std::vector<ExternalKey> external_keys;
  for (size_t i = 0; i < n; ++i) {
    if (in[i].external_id.empty()) continue;
    ExternalKey k{in[i].channel_id, in[i].external_id};
    auto [it, fresh] = seen.emplace(k, i);
    if (fresh) external_keys.push_back(k);
    else first_copy[i] = static_cast<long>(it->second);
  }

  // Every statement below is a handful of index or TID probes. On small,
  // hot tables the planner's generic plans would rather scan the whole table
  // (conversations is updated on every batch, so it is full of dead
  // versions); inside this transaction a scan is never the right plan.
  db::Transaction tx(c, "SET LOCAL enable_seqscan = off");
  std::vector<std::int64_t> conversation_ids(n);
  for (size_t i = 0; i < n; ++i) conversation_ids[i] = in[i].conversation_id;
  assign_conversations(c, in, conversation_ids);

  // Lock the conversations in id order (one order for every transaction, so
  // no deadlocks), then look for already-stored copies: under the lock no
  // other transaction can add one to these conversations until we commit.
  std::vector<std::int64_t> conv_set(conversation_ids.begin(), conversation_ids.end());
  std::sort(conv_set.begin(), conv_set.end());
  conv_set.erase(std::unique(conv_set.begin(), conv_set.end()), conv_set.end());
  // The lock also returns each row's ctid: while we hold the lock the row
  // cannot move, so the seq bump below can address it directly (TID scan).
  auto locked = c.exec_prepared("og_lock_conversations",
                                "SELECT c.id, c.ctid FROM unnest($1::bigint[]) AS k(id) "
                                "CROSS JOIN LATERAL (SELECT id, ctid FROM conversations c WHERE c.id = k.id FOR UPDATE) c",
                                {db::array_literal(conv_set)});
  std::map<std::int64_t, std::string> ctid_of;
  for (int r = 0; r < locked.rows(); ++r) ctid_of[locked.int64(r, 0)] = locked.str(r, 1);
  auto stored = find_stored(c, external_keys);

  // What is new, and how many new messages each conversation gets.
  std::vector<size_t> fresh;
  std::map<std::int64_t, std::int64_t> per_conversation;
  for (size_t i = 0; i < n; ++i) {
    if (first_copy[i] >= 0) continue;
    if (!in[i].external_id.empty()) {
      auto it = stored.find({in[i].channel_id, in[i].external_id});
      if (it != stored.end()) {
        out[i] = {it->second, true};
        continue;
      }
    }
    fresh.push_back(i);
    ++per_conversation[conversation_ids[i]];
  }

  if (!fresh.empty()) {
    std::vector<std::int64_t> ids, counts;
    std::vector<std::string> ctids;
    for (const auto& [id, count] : per_conversation) {
      ids.push_back(id);
      counts.push_back(count);
      ctids.push_back(ctid_of.at(id));
    }
    auto bumped = c.exec_prepared(
        "og_bump_seq",
        "UPDATE conversations c SET last_seq = c.last_seq + ($2::bigint[])[array_position($1::bigint[], c.id)], "
        "  last_message_at = now(), updated_at = now() "
        "WHERE c.ctid = ANY($3::tid[]) RETURNING c.id, c.last_seq",
        {db::array_literal(ids), db::array_literal(counts), db::array_literal(ctids)});
    if (bumped.rows() != static_cast<int>(ids.size()))
      throw db::PgError("conversation rows moved while locked", "40001");  // cannot happen; retried if it does
    std::map<std::int64_t, std::int64_t> next_seq;  // first seq to hand out
    for (int r = 0; r < bumped.rows(); ++r)
      next_seq[bumped.int64(r, 0)] = bumped.int64(r, 1) - per_conversation[bumped.int64(r, 0)] + 1;

    std::vector<std::int64_t> conv, seq, channel;
    std::vector<std::string> direction, sender_type, sender_id, sender_name, parts, delivery;
    std::vector<std::optional<std::string>> external, metadata, channel_ts;
    for (size_t i : fresh) {
      const auto& m = in[i];
      conv.push_back(conversation_ids[i]);
      seq.push_back(next_seq[conversation_ids[i]]++);
      channel.push_back(m.channel_id);
      direction.emplace_back(schema::to_string(m.direction));
      sender_type.emplace_back(schema::to_string(m.sender.type));
      sender_id.push_back(m.sender.id);
      sender_name.push_back(m.sender.name);
      parts.push_back(parts_json(m.parts));
      delivery.emplace_back(schema::to_string(m.delivery_status));
      external.push_back(m.external_id.empty() ? std::nullopt : std::optional(m.external_id));
      metadata.push_back(m.metadata.isNull() ? std::nullopt : std::optional(schema::write_json(m.metadata)));
      channel_ts.push_back(optional_ts(m.channel_timestamp));
    }
    auto inserted = c.exec_prepared(
        "og_insert_messages",
        "INSERT INTO messages (conversation_id, seq, channel_id, direction, sender_type, sender_id, "
        "  sender_name, parts, delivery_status, external_id, metadata, channel_timestamp) "
        "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], "
        "  $7::text[], $8::jsonb[], $9::text[], $10::text[], $11::jsonb[], $12::timestamptz[]) "
        "RETURNING conversation_id, seq, id, created_at",
        {db::array_literal(conv), db::array_literal(seq), db::array_literal(channel),
         db::array_literal(direction), db::array_literal(sender_type), db::array_literal(sender_id),
         db::array_literal(sender_name), db::array_literal(parts), db::array_literal(delivery),
         db::array_literal(external), db::array_literal(metadata), db::array_literal(channel_ts)});
    std::map<std::pair<std::int64_t, std::int64_t>, std::pair<std::int64_t, schema::Timestamp>> by_seq;
    for (int r = 0; r < inserted.rows(); ++r)
      by_seq[{inserted.int64(r, 0), inserted.int64(r, 1)}] = {
          inserted.int64(r, 2), timestamp_at(inserted, r, 3)};
    for (size_t k = 0; k < fresh.size(); ++k) {
      size_t i = fresh[k];
      schema::Message m = in[i];
      m.conversation_id = conv[k];
      m.seq = seq[k];
      std::tie(m.id, m.created_at) = by_seq.at({conv[k], seq[k]});
      out[i] = {std::move(m), false};
    }
  }
  tx.commit();

  for (size_t i = 0; i < n; ++i)
    if (first_copy[i] >= 0) out[i] = {out[static_cast<size_t>(first_copy[i])].message, true};
  return out;
}

HistoryPage MessageStore::history(std::int64_t conversation_id, std::int64_t after_seq, int limit) {
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared(
      "og_history",
      std::string("SELECT ") + kMessageColumns +
          " FROM messages m WHERE m.conversation_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3",
      {std::to_string(conversation_id), std::to_string(after_seq), std::to_string(limit + 1)});
  HistoryPage page;
  for (int i = 0; i < r.rows() && i < limit; ++i) page.items.push_back(message_from_row(r, i));
  page.more = r.rows() > limit;
  return page;
}

std::int64_t MessageStore::count_messages(std::int64_t channel_id) {
  auto conn = pool_.acquire();
  return conn->exec("SELECT count(*) FROM messages WHERE channel_id = $1", {std::to_string(channel_id)})
      .int64(0, 0);
}

}  // namespace omnigate::store
