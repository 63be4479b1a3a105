#include "gateway/store/email_thread_store.h"

#include <algorithm>
#include <cctype>

#include "adapters/email/subject.h"
#include "gateway/store/columns.h"
#include "schema/json.h"

namespace omnigate::store {
namespace {

// Bounds what one mail can make the store look at: a References header can
// be long, and a conversation's history longer.
constexpr size_t kMaxReferences = 100;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

void add_unique(std::vector<std::string>& list, std::string value) {
  if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

void add_mailboxes(std::vector<std::string>& out, const Json::Value& v) {
  if (v.isObject() && v["address"].isString()) add_unique(out, lower(v["address"].asString()));
  if (v.isArray())
    for (const Json::Value& m : v) add_mailboxes(out, m);
}

// The open conversation of a contact and thread, after losing a race to
// open or reopen it.
constexpr const char* kOpenByThread =
    "SELECT id FROM conversations WHERE channel_id = $1 AND contact_id = $2 AND thread_key = $3 "
    "AND status <> 'resolved'";

}  // namespace

std::optional<std::int64_t> EmailThreadStore::conversation_of(std::int64_t channel_id, const std::string& external_id) {
  if (external_id.empty()) return std::nullopt;
  auto conn = pool_.acquire();
  auto r = conn->exec("SELECT conversation_id FROM messages WHERE channel_id = $1 AND external_id = $2",
                      {std::to_string(channel_id), external_id});
  if (r.rows() == 0) return std::nullopt;
  return r.int64(0, 0);
}

std::map<std::string, std::int64_t> EmailThreadStore::conversations_by_message_id(
    std::int64_t channel_id, const std::vector<std::string>& message_ids) {
  std::map<std::string, std::int64_t> out;
  if (message_ids.empty()) return out;
  std::vector<std::string> ids(message_ids.begin(),
                               message_ids.begin() + static_cast<std::ptrdiff_t>(std::min(message_ids.size(), kMaxReferences)));
  auto conn = pool_.acquire();
  // Each side of the OR has its own index (messages_external_id,
  // messages_delivery_external_id).
  auto r = conn->exec(
      "SELECT m.external_id, m.metadata -> 'delivery' ->> 'external_id', m.conversation_id FROM messages m "
      "WHERE m.channel_id = $1 AND (m.external_id = ANY($2::text[]) "
      "  OR m.metadata -> 'delivery' ->> 'external_id' = ANY($2::text[]))",
      {std::to_string(channel_id), db::array_literal(ids)});
  for (int i = 0; i < r.rows(); ++i) {
    std::int64_t conversation = r.int64(i, 2);
    for (int col : {0, 1})
      if (!r.is_null(i, col)) out.emplace(r.str(i, col), conversation);
  }
  return out;
}

std::map<std::int64_t, std::int64_t> EmailThreadStore::conversations_by_message(
    std::int64_t channel_id, const std::vector<std::int64_t>& message_ids) {
  std::map<std::int64_t, std::int64_t> out;
  if (message_ids.empty()) return out;
  auto conn = pool_.acquire();
  auto r = conn->exec("SELECT id, conversation_id FROM messages WHERE id = ANY($2::bigint[]) AND channel_id = $1",
                      {std::to_string(channel_id), db::array_literal(message_ids)});
  for (int i = 0; i < r.rows(); ++i) out.emplace(r.int64(i, 0), r.int64(i, 1));
  return out;
}

std::vector<std::int64_t> EmailThreadStore::open_conversations_of(std::int64_t channel_id, const std::string& address) {
  std::vector<std::int64_t> out;
  if (address.empty()) return out;
  auto conn = pool_.acquire();
  auto r = conn->exec(
      "SELECT c.id FROM contact_identities ci "
      "JOIN conversations c ON c.channel_id = ci.channel_id AND c.contact_id = ci.contact_id "
      "WHERE ci.channel_id = $1 AND ci.external_id = $2 AND c.status <> 'resolved' "
      "ORDER BY c.last_message_at DESC NULLS LAST, c.id DESC LIMIT 20",
      {std::to_string(channel_id), lower(address)});
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.int64(i, 0));
  return out;
}

std::vector<adapters::email::ConversationFacts> EmailThreadStore::facts(std::int64_t channel_id,
                                                                      const std::vector<std::int64_t>& ids) {
  std::vector<adapters::email::ConversationFacts> out;
  if (ids.empty()) return out;
  auto conn = pool_.acquire();
  // Participants and topics come from the customers' mails (direction in):
  // a robot's note or our own reply makes nobody a participant.
  auto r = conn->exec(
      "SELECT c.id, c.status = 'resolved', greatest(c.updated_at, coalesce(c.last_message_at, c.updated_at)), "
      "  coalesce((SELECT array_agg(ci.external_id ORDER BY ci.created_at, ci.external_id) FROM contact_identities ci "
      "            WHERE ci.contact_id = c.contact_id AND ci.channel_id = c.channel_id), '{}'), "
      "  coalesce((SELECT jsonb_agg(x.e) FROM ("
      "     SELECT jsonb_build_object('subject', m.metadata -> 'email' -> 'subject', 'from', m.metadata -> 'email' -> 'from', "
      "                               'to', m.metadata -> 'email' -> 'to', 'cc', m.metadata -> 'email' -> 'cc') AS e "
      "     FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in' AND m.metadata ? 'email' "
      "     ORDER BY m.seq DESC LIMIT 50) x), '[]')::text "
      "FROM conversations c WHERE c.id = ANY($2::bigint[]) AND c.channel_id = $1",
      {std::to_string(channel_id), db::array_literal(ids)});
  std::map<std::int64_t, adapters::email::ConversationFacts> by_id;
  for (int i = 0; i < r.rows(); ++i) {
    adapters::email::ConversationFacts f;
    f.id = r.int64(i, 0);
    f.resolved = r.boolean(i, 1);
    f.last_activity = timestamp_at(r, i, 2);
    std::vector<std::string> identities = db::parse_text_array(r.text(i, 3));
    if (!identities.empty()) f.contact = lower(identities.front());
    for (std::string& id : identities) add_unique(f.participants, lower(std::move(id)));
    Json::Value mails = schema::parse_json(r.text(i, 4));
    for (const Json::Value& e : mails) {
      for (const char* field : {"from", "to", "cc"}) add_mailboxes(f.participants, e[field]);
      if (e["subject"].isString()) add_unique(f.topics, adapters::email::subject_topic(e["subject"].asString()));
    }
    by_id.emplace(f.id, std::move(f));
  }
  for (std::int64_t id : ids) {
    auto it = by_id.find(id);
    if (it != by_id.end()) out.push_back(std::move(it->second)), by_id.erase(it);
  }
  return out;
}

std::int64_t EmailThreadStore::open_conversation(std::int64_t channel_id, const std::string& address,
                                                 const std::string& name, const std::string& thread_key) {
  const std::string channel = std::to_string(channel_id);
  const std::string sender = lower(address);
  auto conn = pool_.acquire();
  db::Transaction tx(*conn);
  // The identity first, the contact only if this transaction made the
  // identity (as og_ingest does): a person racing with themselves never gets
  // two contacts. Each statement sees what committed before it started.
  auto ins = conn->exec(
      "INSERT INTO contact_identities (channel_id, external_id, channel_type, contact_id) "
      "SELECT $1, $2, ch.type, nextval(pg_get_serial_sequence('contacts', 'id')) FROM channels ch WHERE ch.id = $1 "
      "ON CONFLICT DO NOTHING RETURNING contact_id",
      {channel, sender});
  std::string contact;
  if (ins.rows() > 0) {
    contact = ins.str(0, 0);
    conn->exec("INSERT INTO contacts (id, name) VALUES ($1, $2)", {contact, name});
  } else {
    auto found = conn->exec("SELECT contact_id FROM contact_identities WHERE channel_id = $1 AND external_id = $2",
                            {channel, sender});
    if (found.rows() == 0) throw db::PgError("email thread: channel " + channel + " does not exist", "");
    contact = found.str(0, 0);
  }
  auto opened = conn->exec(
      "INSERT INTO conversations (channel_id, contact_id, thread_key) VALUES ($1, $2, $3) "
      "ON CONFLICT (channel_id, contact_id, thread_key) WHERE status <> 'resolved' DO NOTHING RETURNING id",
      {channel, contact, thread_key});
  std::int64_t id = 0;
  if (opened.rows() > 0) {
    id = opened.int64(0, 0);
  } else {
    auto existing = conn->exec(kOpenByThread, {channel, contact, thread_key});
    // Resolved between the two statements: the caller's retry opens anew.
    if (existing.rows() == 0) throw db::PgError("email thread: the conversation closed while opening it", "40001");
    id = existing.int64(0, 0);
  }
  tx.commit();
  return id;
}

std::int64_t EmailThreadStore::reopen(std::int64_t conversation_id) {
  auto conn = pool_.acquire();
  try {
    conn->exec("UPDATE conversations SET status = 'queued', updated_at = now() WHERE id = $1 AND status = 'resolved'",
               {std::to_string(conversation_id)});
    return conversation_id;
  } catch (const db::PgError& e) {
    if (e.sqlstate() != "23505") throw;
  }
  // The contact already has an open conversation on this thread (opened
  // since this one was resolved): the mail joins that one.
  auto r = conn->exec(
      "SELECT o.id FROM conversations c JOIN conversations o ON o.channel_id = c.channel_id "
      "AND o.contact_id = c.contact_id AND o.thread_key = c.thread_key AND o.status <> 'resolved' WHERE c.id = $1",
      {std::to_string(conversation_id)});
  if (r.rows() == 0) throw db::PgError("email thread: conversation " + std::to_string(conversation_id) +
                                           " could not be reopened", "40001");
  return r.int64(0, 0);
}

}  // namespace omnigate::store
