#include "gateway/store/message_store.h"

#include <map>
#include <string_view>
#include <thread>

#include "gateway/store/columns.h"
#include "schema/json.h"

namespace omnigate::store {

const char* const kMessageColumns =
    "m.id, m.conversation_id, m.seq, m.direction, m.sender_type, m.sender_id, m.sender_name, m.channel_id, "
    "m.external_id, m.parts::text, m.metadata::text, m.created_at, m.channel_timestamp, m.delivery_status, "
    "m.delivery_error";

schema::Message message_from_row(const db::PgResult& r, int row, int first) {
  schema::Message m;
  m.id = r.int64(row, first + 0);
  m.conversation_id = r.int64(row, first + 1);
  m.seq = r.int64(row, first + 2);
  m.direction = schema::direction_from_string(r.text(row, first + 3));
  m.sender.type = schema::sender_type_from_string(r.text(row, first + 4));
  m.sender.id = r.str(row, first + 5);
  m.sender.name = r.str(row, first + 6);
  m.channel_id = r.int64(row, first + 7);
  if (!r.is_null(row, first + 8)) m.external_id = r.str(row, first + 8);
  Json::Value parts = schema::parse_json(r.text(row, first + 9));
  for (const auto& p : parts) m.parts.push_back(schema::part_from_json(p));
  if (!r.is_null(row, first + 10)) m.metadata = schema::parse_json(r.text(row, first + 10));
  m.created_at = timestamp_at(r, row, first + 11);
  m.channel_timestamp = optional_timestamp_at(r, row, first + 12);
  m.delivery_status = schema::delivery_status_from_string(r.text(row, first + 13));
  m.delivery_error = r.str(row, first + 14);
  return m;
}

namespace {

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
  return ingest(std::vector<schema::Message>(messages));
}

std::vector<StoredMessage> MessageStore::ingest(std::vector<schema::Message>&& in) {
  const size_t n = in.size();
  if (n == 0) return {};
  // Later copies of an external_id within the batch answer as the first one;
  // only the first goes to the database.
  std::vector<long> first_copy(n, -1);
  std::map<std::pair<std::int64_t, std::string_view>, size_t> seen;
  std::vector<size_t> sent;  // input index of each row passed to og_ingest
  for (size_t i = 0; i < n; ++i) {
    if (!in[i].external_id.empty()) {
      auto [it, fresh] = seen.emplace(std::pair{in[i].channel_id, std::string_view(in[i].external_id)}, i);
      if (!fresh) {
        first_copy[i] = static_cast<long>(it->second);
        continue;
      }
    }
    sent.push_back(i);
  }

  std::vector<StoredMessage> out;
  constexpr int kAttempts = 4;
  for (int attempt = 1;; ++attempt) {
    try {
      auto conn = pool_.acquire();
      out = ingest_once(*conn, in, sent);
      break;
    } catch (const db::PgError& e) {
      // 23505: another transaction stored one of these external_ids between
      // our duplicate check and insert (only possible when the same
      // external_id arrives for two different contacts); the retry sees it.
      bool retry = e.transient() || e.sqlstate() == "23505";
      if (!retry || attempt == kAttempts) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
    }
  }
  // Committed: a new row is the input message plus what the database gave it.
  for (size_t i : sent) {
    StoredMessage& s = out[i];
    if (s.duplicate) continue;
    schema::Message m = std::move(in[i]);
    m.id = s.message.id;
    m.conversation_id = s.message.conversation_id;
    m.seq = s.message.seq;
    m.created_at = s.message.created_at;
    s.message = std::move(m);
  }
  for (size_t i = 0; i < n; ++i)
    if (first_copy[i] >= 0) out[i] = {out[static_cast<size_t>(first_copy[i])].message, true};
  return out;
}

std::vector<StoredMessage> MessageStore::ingest_once(db::PgConnection& c, const std::vector<schema::Message>& in,
                                                     const std::vector<size_t>& sent) {
  std::vector<StoredMessage> out(in.size());
  std::vector<std::int64_t> channel;
  std::vector<std::optional<std::string>> conversation, external, metadata, channel_ts;
  std::vector<std::string> sender_type, sender_id, sender_name, direction, parts, delivery;
  for (size_t i : sent) {
    const auto& m = in[i];
    channel.push_back(m.channel_id);
    conversation.push_back(m.conversation_id ? std::optional(std::to_string(m.conversation_id)) : std::nullopt);
    sender_type.emplace_back(schema::to_string(m.sender.type));
    sender_id.push_back(m.sender.id);
    sender_name.push_back(m.sender.name);
    external.push_back(m.external_id.empty() ? std::nullopt : std::optional(m.external_id));
    direction.emplace_back(schema::to_string(m.direction));
    parts.push_back(parts_json(m.parts));
    metadata.push_back(m.metadata.isNull() ? std::nullopt : std::optional(schema::write_json(m.metadata)));
    channel_ts.push_back(optional_ts(m.channel_timestamp));
    delivery.emplace_back(schema::to_string(m.delivery_status));
  }
  // One statement outside any explicit transaction: it commits on its own,
  // and libpq returns only after the server's ReadyForQuery, which follows
  // the commit (and, with synchronous_commit, the WAL flush). A failed commit
  // comes back as an error. So a result here means the rows are durable.
  auto r = c.exec_prepared(
      "og_ingest",
      "SELECT n, duplicate, id, conversation_id, seq, direction, sender_type, sender_id, sender_name, "
      "channel_id, external_id, parts, metadata, created_at, channel_timestamp, delivery_status, delivery_error "
      "FROM og_ingest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], "
      "$8::jsonb[], $9::jsonb[], $10::timestamptz[], $11::text[])",
      {db::array_literal(channel), db::array_literal(conversation), db::array_literal(sender_type),
       db::array_literal(sender_id), db::array_literal(sender_name), db::array_literal(external),
       db::array_literal(direction), db::array_literal(parts), db::array_literal(metadata),
       db::array_literal(channel_ts), db::array_literal(delivery)});
  if (r.rows() != static_cast<int>(sent.size()))
    throw db::PgError("og_ingest returned " + std::to_string(r.rows()) + " rows for " + std::to_string(sent.size()), "");
  for (int row = 0; row < r.rows(); ++row) {
    size_t i = sent.at(static_cast<size_t>(r.int64(row, 0) - 1));
    if (r.boolean(row, 1)) {
      out[i] = {message_from_row(r, row, 2), true};
      continue;
    }
    schema::Message& m = out[i].message;
    m.id = r.int64(row, 2);
    m.conversation_id = r.int64(row, 3);
    m.seq = r.int64(row, 4);
    m.created_at = timestamp_at(r, row, 13);
  }
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

std::vector<schema::Message> MessageStore::by_ids(const std::vector<std::int64_t>& ids) {
  std::vector<schema::Message> out;
  if (ids.empty()) return out;
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared("og_messages_by_ids",
                               std::string("SELECT ") + kMessageColumns +
                                   " FROM messages m WHERE m.id = ANY($1::bigint[]) ORDER BY m.conversation_id, m.seq",
                               {db::array_literal(ids)});
  for (int i = 0; i < r.rows(); ++i) out.push_back(message_from_row(r, i));
  return out;
}

}  // namespace omnigate::store
