#include "gateway/store/contact_store.h"

#include <charconv>

#include "gateway/store/audit_store.h"
#include "gateway/store/columns.h"
#include "gateway/store/search_pattern.h"
#include "gateway/store/store_error.h"
#include "schema/json.h"

namespace omnigate::store {
namespace {

constexpr const char* kColumns = "c.id, c.name, c.attributes::text, c.tags, c.created_at, c.merged_into_id";

// Contacts of a result (columns kColumns), with their identities read in one more query.
std::vector<schema::Contact> contacts_of(db::PgConnection& conn, const db::PgResult& r) {
  std::vector<schema::Contact> out;
  std::map<std::int64_t, size_t> index;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < r.rows(); ++i) {
    schema::Contact c;
    c.id = r.int64(i, 0);
    c.name = r.str(i, 1);
    Json::Value attributes = schema::parse_json(r.text(i, 2));
    if (attributes.isObject() && !attributes.empty()) c.attributes = attributes;
    c.tags = db::parse_text_array(r.text(i, 3));
    c.created_at = timestamp_at(r, i, 4);
    index[c.id] = out.size();
    ids.push_back(c.id);
    out.push_back(std::move(c));
  }
  if (ids.empty()) return out;
  auto idr = conn.exec(
      "SELECT contact_id, channel_id, channel_type, external_id FROM contact_identities "
      "WHERE contact_id = ANY($1::bigint[]) ORDER BY contact_id, created_at, channel_id, external_id",
      {db::array_literal(ids)});
  for (int i = 0; i < idr.rows(); ++i) {
    schema::Identity id;
    id.channel_id = idr.int64(i, 1);
    id.channel_type = schema::channel_type_from_string(idr.text(i, 2)).value_or(schema::ChannelType::webhook);
    id.external_id = idr.str(i, 3);
    out[index.at(idr.int64(i, 0))].identities.push_back(std::move(id));
  }
  return out;
}

// The live contact row, locked; StoreError when unknown or merged away.
void lock_live(db::PgConnection& conn, std::int64_t id) {
  auto r = conn.exec("SELECT merged_into_id FROM contacts WHERE id = $1 FOR UPDATE", {std::to_string(id)});
  if (r.rows() == 0) throw StoreError(StoreError::Kind::not_found, "not_found", "no contact " + std::to_string(id));
  if (!r.is_null(0, 0))
    throw StoreError(StoreError::Kind::conflict, "contact_merged",
                     "contact " + std::to_string(id) + " was merged into " + r.str(0, 0));
}

schema::Contact load(db::PgConnection& conn, std::int64_t id) {
  auto r = conn.exec(std::string("SELECT ") + kColumns + " FROM contacts c WHERE c.id = $1", {std::to_string(id)});
  auto all = contacts_of(conn, r);
  if (all.empty()) throw StoreError(StoreError::Kind::not_found, "not_found", "no such contact");
  return all.front();
}

}  // namespace

bool ContactStore::merge_attributes(std::int64_t channel_id, const std::string& external_id,
                                    const Json::Value& attributes) {
  if (!attributes.isObject() || attributes.empty()) return false;
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared(
      "og_contact_merge_attributes",
      "UPDATE contacts SET attributes = attributes || $3::jsonb, updated_at = now() "
      "WHERE id = (SELECT contact_id FROM contact_identities WHERE channel_id = $1 AND external_id = $2)",
      {std::to_string(channel_id), external_id, schema::write_json(attributes)});
  return r.affected() > 0;
}

std::optional<ContactView> ContactStore::view(std::int64_t id) {
  auto conn = pool_.acquire();
  auto r = conn->exec(std::string("SELECT ") + kColumns + " FROM contacts c WHERE c.id = $1", {std::to_string(id)});
  if (r.rows() == 0) return std::nullopt;
  ContactView v;
  if (!r.is_null(0, 5)) v.merged_into = r.int64(0, 5);
  v.contact = contacts_of(*conn, r).front();
  auto ch = conn->exec(
      "SELECT DISTINCT ch.id, ch.name FROM contact_identities i JOIN channels ch ON ch.id = i.channel_id "
      "WHERE i.contact_id = $1",
      {std::to_string(id)});
  for (int i = 0; i < ch.rows(); ++i) v.channel_names[ch.int64(i, 0)] = ch.str(i, 1);
  auto cv = conn->exec(
      "SELECT v.id, v.channel_id, ch.type, ch.name, v.status, v.assignee_id, v.team_id, v.last_seq, "
      "v.last_message_at, v.created_at FROM conversations v JOIN channels ch ON ch.id = v.channel_id "
      "WHERE v.contact_id = $1 ORDER BY coalesce(v.last_message_at, v.created_at) DESC, v.id DESC LIMIT 200",
      {std::to_string(id)});
  for (int i = 0; i < cv.rows(); ++i) {
    ContactConversation c;
    c.id = cv.int64(i, 0);
    c.channel_id = cv.int64(i, 1);
    c.channel_type = cv.str(i, 2);
    c.channel_name = cv.str(i, 3);
    c.status = schema::conversation_status_from_string(cv.text(i, 4));
    if (!cv.is_null(i, 5)) c.assignee_id = cv.int64(i, 5);
    if (!cv.is_null(i, 6)) c.team_id = cv.int64(i, 6);
    c.last_seq = cv.int64(i, 7);
    c.last_message_at = optional_timestamp_at(cv, i, 8);
    c.created_at = timestamp_at(cv, i, 9);
    v.conversations.push_back(std::move(c));
  }
  return v;
}

schema::Contact ContactStore::update(std::int64_t id, const ContactEdit& e) {
  auto conn = pool_.acquire();
  db::Transaction tx(*conn);
  lock_live(*conn, id);
  db::Param tags;
  if (e.tags) tags = db::array_literal(*e.tags);
  db::Param attributes;
  if (e.attributes.isObject()) attributes = schema::write_json(e.attributes);
  // Keys set to null in the patch are removed, the others merged in.
  conn->exec(
      "UPDATE contacts SET name = coalesce($2, name), tags = coalesce($3::text[], tags), "
      "attributes = CASE WHEN $4::jsonb IS NULL THEN attributes ELSE "
      "  (attributes || jsonb_strip_nulls($4::jsonb)) - ARRAY(SELECT key FROM jsonb_each($4::jsonb) WHERE value = 'null') END, "
      "updated_at = now() WHERE id = $1",
      {std::to_string(id), e.name, tags, attributes});
  schema::Contact c = load(*conn, id);
  tx.commit();
  return c;
}

schema::Contact ContactStore::merge(std::int64_t into, std::int64_t other, std::int64_t actor) {
  if (into == other) throw StoreError(StoreError::Kind::invalid, "bad_request", "other: a contact cannot merge with itself");
  auto conn = pool_.acquire();
  db::Transaction tx(*conn);
  // Locked in id order, so two opposite merges cannot deadlock.
  lock_live(*conn, std::min(into, other));
  lock_live(*conn, std::max(into, other));
  const std::string a = std::to_string(into), b = std::to_string(other);
  std::int64_t identities = 0, conversations = 0;
  try {
    identities = conn->exec("UPDATE contact_identities SET contact_id = $1 WHERE contact_id = $2", {a, b}).affected();
    conversations = conn->exec("UPDATE conversations SET contact_id = $1, updated_at = now() WHERE contact_id = $2",
                               {a, b})
                        .affected();
  } catch (const db::PgError& e) {
    // The index that keeps one open conversation per contact and channel
    // (and email thread) knows best when two would collide.
    if (e.sqlstate() != "23505") throw;
    throw StoreError(StoreError::Kind::conflict, "open_conversations_clash",
                     "both contacts have an open conversation on the same channel: resolve one of them before merging");
  }
  conn->exec(
      "UPDATE contacts c SET name = CASE WHEN c.name = '' THEN o.name ELSE c.name END, "
      "attributes = o.attributes || c.attributes, "
      "tags = c.tags || ARRAY(SELECT t FROM unnest(o.tags) AS t WHERE NOT t = ANY(c.tags)), updated_at = now() "
      "FROM contacts o WHERE c.id = $1 AND o.id = $2",
      {a, b});
  conn->exec("UPDATE contacts SET merged_into_id = $1, merged_at = now(), updated_at = now() WHERE id = $2 OR merged_into_id = $2",
             {a, b});
  Json::Value detail(Json::objectValue);
  detail["other"] = Json::Int64(other);
  detail["identities_moved"] = Json::Int64(identities);
  detail["conversations_moved"] = Json::Int64(conversations);
  AuditStore::append(*conn, {actor, "contact.merged", "contact", into, detail});
  schema::Contact c = load(*conn, into);
  tx.commit();
  return c;
}

std::vector<schema::Contact> ContactStore::search(const std::string& q, std::optional<std::int64_t> before, int limit) {
  auto conn = pool_.acquire();
  // q may be a contact id as well ("1024"); -1 matches none.
  std::int64_t as_id = -1;
  const char* end = q.data() + q.size();
  if (q.empty() || std::from_chars(q.data(), end, as_id).ptr != end) as_id = -1;
  auto r = conn->exec(
      std::string("SELECT ") + kColumns +
          " FROM contacts c WHERE c.merged_into_id IS NULL AND c.id < $3 AND ($1 = '%' "
          "  OR lower(c.name) LIKE lower($1) OR c.id = $2"
          "  OR c.id IN (SELECT contact_id FROM contact_identities WHERE lower(external_id) LIKE lower($1))) "
          "ORDER BY c.id DESC LIMIT $4",
      {like_prefix(q), std::to_string(as_id), std::to_string(before.value_or(INT64_MAX)), std::to_string(limit)});
  return contacts_of(*conn, r);
}

}  // namespace omnigate::store
