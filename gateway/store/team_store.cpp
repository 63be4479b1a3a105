#include "gateway/store/team_store.h"

#include <algorithm>

#include "gateway/store/audit_store.h"
#include "gateway/store/columns.h"
#include "gateway/store/store_error.h"

namespace omnigate::store {
namespace {

constexpr const char* kColumns =
    "t.id, t.name, t.fallback_team_id, t.created_at, "
    "ARRAY(SELECT at.agent_id FROM agent_teams at JOIN agents a ON a.id = at.agent_id "
    "      WHERE at.team_id = t.id AND NOT a.disabled ORDER BY at.agent_id)";

// Serializes fallback edits, so two concurrent changes cannot close a loop
// that neither sees alone.
constexpr const char* kFallbackLock = "7316238841009125502";

Team from_row(const db::PgResult& r, int i) {
  Team t;
  t.id = r.int64(i, 0);
  t.name = r.str(i, 1);
  if (!r.is_null(i, 2)) t.fallback_team_id = r.int64(i, 2);
  t.created_at = timestamp_at(r, i, 3);
  for (const auto& id : db::parse_text_array(r.text(i, 4))) t.member_ids.push_back(std::stoll(id));
  return t;
}

Team load(db::PgConnection& c, std::int64_t id) {
  auto r = c.exec(std::string("SELECT ") + kColumns + " FROM teams t WHERE t.id = $1", {std::to_string(id)});
  if (r.rows() == 0) throw StoreError(StoreError::Kind::not_found, "not_found", "no such team");
  return from_row(r, 0);
}

std::string checked_name(const std::string& name) {
  if (name.empty() || name.size() > 200) throw StoreError(StoreError::Kind::invalid, "bad_request", "team name: 1 to 200 characters");
  return name;
}

// The fallback's id, refusing one whose own chain leads back to `self`.
db::Param fallback_id(db::PgConnection& c, const std::optional<TeamRef>& ref, std::optional<std::int64_t> self) {
  if (!ref) return std::nullopt;
  std::int64_t id = TeamStore::resolve(c, {*ref}, std::nullopt, false).at(0);
  if (self) {
    c.exec("SELECT pg_advisory_xact_lock($1::bigint)", {kFallbackLock});
    auto loop = c.exec(
        "WITH RECURSIVE chain(id, next) AS ("
        "  SELECT id, fallback_team_id FROM teams WHERE id = $1"
        "  UNION SELECT t.id, t.fallback_team_id FROM teams t JOIN chain ON t.id = chain.next) "
        "SELECT 1 FROM chain WHERE id = $2",
        {std::to_string(id), std::to_string(*self)});
    if (loop.rows() > 0)
      throw StoreError(StoreError::Kind::conflict, "fallback_loop", "fallback_team: that team falls back to this one");
  }
  return std::to_string(id);
}

Json::Value fallback_detail(const db::Param& id) { return id ? Json::Value(Json::Int64(std::stoll(*id))) : Json::Value(); }

}  // namespace

std::vector<Team> TeamStore::list() {
  auto conn = pool_.acquire();
  auto r = conn->exec(std::string("SELECT ") + kColumns + " FROM teams t ORDER BY lower(t.name), t.id");
  std::vector<Team> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(from_row(r, i));
  return out;
}

std::optional<Team> TeamStore::get(std::int64_t id) {
  auto conn = pool_.acquire();
  auto r = conn->exec(std::string("SELECT ") + kColumns + " FROM teams t WHERE t.id = $1", {std::to_string(id)});
  if (r.rows() == 0) return std::nullopt;
  return from_row(r, 0);
}

Team TeamStore::create(const std::string& name, const std::optional<TeamRef>& fallback, std::int64_t actor) {
  auto conn = pool_.acquire();
  db::Transaction tx(*conn);
  db::Param fb = fallback_id(*conn, fallback, std::nullopt);
  auto r = conn->exec(
      "INSERT INTO teams (name, fallback_team_id) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id",
      {checked_name(name), fb});
  if (r.rows() == 0) throw StoreError(StoreError::Kind::conflict, "name_taken", "a team named \"" + name + "\" exists");
  std::int64_t id = r.int64(0, 0);
  Json::Value detail(Json::objectValue);
  detail["name"] = name;
  detail["fallback_team"] = fallback_detail(fb);
  AuditStore::append(*conn, {actor, "team.created", "team", id, detail});
  Team t = load(*conn, id);
  tx.commit();
  return t;
}

Team TeamStore::update(std::int64_t id, const TeamChanges& changes, std::int64_t actor) {
  auto conn = pool_.acquire();
  db::Transaction tx(*conn);
  Team before = load(*conn, id);
  Json::Value detail(Json::objectValue);
  if (changes.name) {
    try {
      conn->exec("UPDATE teams SET name = $2 WHERE id = $1", {std::to_string(id), checked_name(*changes.name)});
    } catch (const db::PgError& e) {
      if (e.sqlstate() != "23505") throw;
      throw StoreError(StoreError::Kind::conflict, "name_taken", "a team named \"" + *changes.name + "\" exists");
    }
    detail["name"] = *changes.name;
    detail["previous_name"] = before.name;
  }
  if (changes.fallback) {
    db::Param fb = fallback_id(*conn, *changes.fallback, id);
    conn->exec("UPDATE teams SET fallback_team_id = $2 WHERE id = $1", {std::to_string(id), fb});
    detail["fallback_team"] = fallback_detail(fb);
  }
  if (!detail.empty()) AuditStore::append(*conn, {actor, "team.updated", "team", id, detail});
  Team t = load(*conn, id);
  tx.commit();
  return t;
}

void TeamStore::remove(std::int64_t id, std::int64_t actor) {
  auto conn = pool_.acquire();
  db::Transaction tx(*conn);
  // The row lock keeps new conversations from joining the team meanwhile
  // (their foreign key check takes a share lock on it).
  auto r = conn->exec("SELECT name FROM teams WHERE id = $1 FOR UPDATE", {std::to_string(id)});
  if (r.rows() == 0) throw StoreError(StoreError::Kind::not_found, "not_found", "no such team");
  std::string name = r.str(0, 0);
  auto open = conn->exec("SELECT count(*) FROM conversations WHERE team_id = $1 AND status <> 'resolved'",
                         {std::to_string(id)});
  if (open.int64(0, 0) > 0)
    throw StoreError(StoreError::Kind::conflict, "team_in_use",
                     "the team has " + open.str(0, 0) + " open conversation(s): transfer or resolve them first");
  conn->exec("DELETE FROM teams WHERE id = $1", {std::to_string(id)});
  Json::Value detail(Json::objectValue);
  detail["name"] = name;
  AuditStore::append(*conn, {actor, "team.deleted", "team", id, detail});
  tx.commit();
}

std::vector<std::int64_t> TeamStore::resolve(db::PgConnection& c, const std::vector<TeamRef>& refs,
                                             std::optional<std::int64_t> actor, bool create_missing) {
  std::vector<std::int64_t> ids;
  for (const auto& ref : refs) {
    std::int64_t id = 0;
    if (ref.id) {
      auto r = c.exec("SELECT id FROM teams WHERE id = $1", {std::to_string(*ref.id)});
      if (r.rows() == 0)
        throw StoreError(StoreError::Kind::invalid, "unknown_team", "no team with id " + std::to_string(*ref.id));
      id = r.int64(0, 0);
    } else {
      checked_name(ref.name);
      auto r = c.exec("SELECT id FROM teams WHERE name = $1", {ref.name});
      if (r.rows() > 0) {
        id = r.int64(0, 0);
      } else if (!create_missing) {
        throw StoreError(StoreError::Kind::invalid, "unknown_team", "no team named \"" + ref.name + "\"");
      } else {
        auto ins = c.exec("INSERT INTO teams (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id", {ref.name});
        if (ins.rows() > 0) {
          id = ins.int64(0, 0);
          Json::Value detail(Json::objectValue);
          detail["name"] = ref.name;
          detail["implicit"] = true;  // named by a user change, not created on its own
          AuditStore::append(c, {actor, "team.created", "team", id, detail});
        } else {
          // A concurrent request created it first; a new statement sees its row.
          id = c.exec("SELECT id FROM teams WHERE name = $1", {ref.name}).int64(0, 0);
        }
      }
    }
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  return ids;
}

Json::Value to_json(const Team& t) {
  Json::Value j(Json::objectValue);
  j["id"] = Json::Int64(t.id);
  j["name"] = t.name;
  j["fallback_team"] = t.fallback_team_id ? Json::Value(Json::Int64(*t.fallback_team_id)) : Json::Value::null;
  j["members"] = Json::Value(Json::arrayValue);
  for (auto id : t.member_ids) j["members"].append(Json::Int64(id));
  j["created_at"] = schema::format_timestamp(t.created_at);
  return j;
}

}  // namespace omnigate::store
