#include "gateway/store/canned_store.h"

#include "gateway/store/audit_store.h"
#include "gateway/store/columns.h"
#include "gateway/store/search_pattern.h"
#include "gateway/store/store_error.h"
#include "schema/json.h"

namespace omnigate::store {
namespace {

constexpr const char* kColumns =
    "c.id, c.shortcode, c.title, c.body, c.team_id, c.owner_id, c.created_by, c.created_at, c.updated_at";

CannedResponse from_row(const db::PgResult& r, int i) {
  CannedResponse c;
  c.id = r.int64(i, 0);
  c.shortcode = r.str(i, 1);
  c.title = r.str(i, 2);
  c.body = r.str(i, 3);
  if (!r.is_null(i, 4)) c.team_id = r.int64(i, 4);
  if (!r.is_null(i, 5)) c.owner_id = r.int64(i, 5);
  if (!r.is_null(i, 6)) c.created_by = r.int64(i, 6);
  c.created_at = timestamp_at(r, i, 7);
  c.updated_at = timestamp_at(r, i, 8);
  return c;
}

db::Param optional_id(const std::optional<std::int64_t>& id) {
  if (!id) return std::nullopt;
  return std::to_string(*id);
}

// Only team and global responses are admin changes worth an audit entry.
void audit(db::PgConnection& c, const CannedResponse& r, const char* action, std::int64_t actor) {
  if (r.scope() == CannedScope::personal) return;
  Json::Value detail(Json::objectValue);
  detail["shortcode"] = r.shortcode;
  detail["scope"] = std::string(to_string(r.scope()));
  if (r.team_id) detail["team"] = Json::Int64(*r.team_id);
  AuditStore::append(c, {actor, action, "canned_response", r.id, detail});
}

[[noreturn]] void shortcode_taken(const std::string& shortcode) {
  throw StoreError(StoreError::Kind::conflict, "shortcode_taken",
                   "shortcode \"" + shortcode + "\" is already used in this scope");
}

}  // namespace

std::vector<CannedResponse> CannedStore::search(const CannedViewer& v, const std::string& prefix, int limit) {
  auto conn = pool_.acquire();
  // Visible: one's own, one's teams', global; admins every team's too.
  const std::string visible =
      "(c.owner_id = $1 OR (c.owner_id IS NULL AND (c.team_id IS NULL OR c.team_id = ANY($2::bigint[]) OR $3)))";
  db::Params params{std::to_string(v.agent_id), db::array_literal(v.team_ids), v.admin ? "true" : "false",
                    std::to_string(limit)};
  std::string sql;
  if (prefix.empty()) {
    sql = std::string("SELECT ") + kColumns + " FROM canned_responses c WHERE " + visible +
          " ORDER BY lower(c.shortcode), c.id LIMIT $4";
  } else {
    // Each branch is an index range scan (text_pattern_ops); the best rank
    // of a response decides its place.
    params.push_back(like_prefix(prefix));
    sql = std::string("SELECT ") + kColumns +
          " FROM (SELECT id, min(rank) AS rank FROM ("
          "   SELECT id, 0 AS rank FROM canned_responses WHERE lower(shortcode) LIKE lower($5)"
          "   UNION ALL SELECT id, 1 FROM canned_responses WHERE lower(title) LIKE lower($5)"
          "   UNION ALL SELECT canned_id, 2 FROM canned_response_terms WHERE term LIKE lower($5) AND field = 'title'"
          "   UNION ALL SELECT canned_id, 3 FROM canned_response_terms WHERE term LIKE lower($5) AND field = 'body'"
          " ) hits GROUP BY id) m JOIN canned_responses c ON c.id = m.id WHERE " +
          visible + " ORDER BY m.rank, lower(c.shortcode), c.id LIMIT $4";
  }
  auto r = conn->exec(sql, params);
  std::vector<CannedResponse> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(from_row(r, i));
  return out;
}

std::optional<CannedResponse> CannedStore::get(std::int64_t id) {
  auto conn = pool_.acquire();
  auto r = conn->exec(std::string("SELECT ") + kColumns + " FROM canned_responses c WHERE c.id = $1",
                      {std::to_string(id)});
  if (r.rows() == 0) return std::nullopt;
  return from_row(r, 0);
}

CannedResponse CannedStore::create(const CannedResponse& d, std::int64_t actor) {
  auto conn = pool_.acquire();
  db::Transaction tx(*conn);
  if (d.team_id && conn->exec("SELECT 1 FROM teams WHERE id = $1", {std::to_string(*d.team_id)}).rows() == 0)
    throw StoreError(StoreError::Kind::invalid, "unknown_team", "no team with id " + std::to_string(*d.team_id));
  db::PgResult r(nullptr);
  try {
    r = conn->exec(std::string("INSERT INTO canned_responses AS c (shortcode, title, body, team_id, owner_id, created_by) "
                               "VALUES ($1, $2, $3, $4, $5, $6) RETURNING ") +
                       kColumns,
                   {d.shortcode, d.title, d.body, optional_id(d.team_id), optional_id(d.owner_id), std::to_string(actor)});
  } catch (const db::PgError& e) {
    if (e.sqlstate() == "23505") shortcode_taken(d.shortcode);
    throw;
  }
  CannedResponse c = from_row(r, 0);
  audit(*conn, c, "canned_response.created", actor);
  tx.commit();
  return c;
}

CannedResponse CannedStore::update(std::int64_t id, const CannedEdit& e, std::int64_t actor) {
  auto conn = pool_.acquire();
  db::Transaction tx(*conn);
  db::PgResult r(nullptr);
  try {
    r = conn->exec(std::string("UPDATE canned_responses AS c SET shortcode = coalesce($2, c.shortcode), "
                               "title = coalesce($3, c.title), body = coalesce($4, c.body), updated_at = now() "
                               "WHERE c.id = $1 RETURNING ") +
                       kColumns,
                   {std::to_string(id), e.shortcode, e.title, e.body});
  } catch (const db::PgError& err) {
    if (err.sqlstate() == "23505") shortcode_taken(e.shortcode.value_or(""));
    throw;
  }
  if (r.rows() == 0) throw StoreError(StoreError::Kind::not_found, "not_found", "no such canned response");
  CannedResponse c = from_row(r, 0);
  audit(*conn, c, "canned_response.updated", actor);
  tx.commit();
  return c;
}

void CannedStore::remove(std::int64_t id, std::int64_t actor) {
  auto conn = pool_.acquire();
  db::Transaction tx(*conn);
  auto r = conn->exec(std::string("DELETE FROM canned_responses AS c WHERE c.id = $1 RETURNING ") + kColumns,
                      {std::to_string(id)});
  if (r.rows() == 0) throw StoreError(StoreError::Kind::not_found, "not_found", "no such canned response");
  audit(*conn, from_row(r, 0), "canned_response.deleted", actor);
  tx.commit();
}

std::string_view to_string(CannedScope scope) {
  switch (scope) {
    case CannedScope::personal: return "personal";
    case CannedScope::team: return "team";
    case CannedScope::global: return "global";
  }
  return "global";
}

Json::Value to_json(const CannedResponse& c) {
  Json::Value j(Json::objectValue);
  j["id"] = Json::Int64(c.id);
  j["shortcode"] = c.shortcode;
  j["title"] = c.title;
  j["body"] = c.body;
  j["scope"] = std::string(to_string(c.scope()));
  j["team"] = c.team_id ? Json::Value(Json::Int64(*c.team_id)) : Json::Value::null;
  j["owner"] = c.owner_id ? Json::Value(Json::Int64(*c.owner_id)) : Json::Value::null;
  j["created_by"] = c.created_by ? Json::Value(Json::Int64(*c.created_by)) : Json::Value::null;
  j["created_at"] = schema::format_timestamp(c.created_at);
  j["updated_at"] = schema::format_timestamp(c.updated_at);
  return j;
}

}  // namespace omnigate::store
