#include "gateway/store/agent_store.h"

#include "adapters/common/crypto.h"
#include "gateway/store/audit_store.h"
#include "gateway/store/columns.h"
#include "gateway/store/store_error.h"
#include "schema/json.h"

namespace omnigate::store {
namespace {

constexpr const char* kColumns =
    "a.id, a.login, a.name, a.password_hash, a.role, a.presence, a.created_at, a.skills, a.capacity::text, "
    "a.disabled, ARRAY(SELECT at.team_id FROM agent_teams at WHERE at.agent_id = a.id ORDER BY at.team_id)";

schema::Agent from_row(const db::PgResult& r, int i) {
  schema::Agent a;
  a.id = r.int64(i, 0);
  a.login = r.str(i, 1);
  a.name = r.str(i, 2);
  a.password_hash = r.str(i, 3);
  a.role = schema::role_from_string(r.text(i, 4));
  a.presence = schema::presence_from_string(r.text(i, 5));
  a.created_at = timestamp_at(r, i, 6);
  a.skills = db::parse_text_array(r.text(i, 7));
  Json::Value capacity = schema::parse_json(r.text(i, 8));
  for (auto it = capacity.begin(); it != capacity.end(); ++it)
    if (it->isInt()) a.capacity[it.name()] = it->asInt();
  a.disabled = r.boolean(i, 9);
  for (const auto& id : db::parse_text_array(r.text(i, 10))) a.team_ids.push_back(std::stoll(id));
  return a;
}

// bytea parameter in PostgreSQL's hex input form.
std::string token_digest(const std::string& token) { return "\\x" + crypto::to_hex(crypto::sha256(token)); }

std::string capacity_text(const std::map<std::string, int>& capacity) {
  Json::Value j(Json::objectValue);
  for (const auto& [type, n] : capacity) j[type] = n;
  return schema::write_json(j);
}

Json::Value ids_json(const std::vector<std::int64_t>& ids) {
  Json::Value a(Json::arrayValue);
  for (auto id : ids) a.append(Json::Int64(id));
  return a;
}

Json::Value strings_json(const std::vector<std::string>& items) {
  Json::Value a(Json::arrayValue);
  for (const auto& s : items) a.append(s);
  return a;
}

schema::Agent load(db::PgConnection& c, std::int64_t id) {
  auto r = c.exec(std::string("SELECT ") + kColumns + " FROM agents a WHERE a.id = $1", {std::to_string(id)});
  if (r.rows() == 0) throw StoreError(StoreError::Kind::not_found, "not_found", "no such user");
  return from_row(r, 0);
}

void set_teams(db::PgConnection& c, std::int64_t agent, const std::vector<std::int64_t>& teams) {
  c.exec("DELETE FROM agent_teams WHERE agent_id = $1 AND NOT (team_id = ANY($2::bigint[]))",
         {std::to_string(agent), db::array_literal(teams)});
  c.exec("INSERT INTO agent_teams (agent_id, team_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
         {std::to_string(agent), db::array_literal(teams)});
}

int revoke_all(db::PgConnection& c, std::int64_t agent) {
  return static_cast<int>(
      c.exec("UPDATE auth_tokens SET revoked_at = now() WHERE agent_id = $1 AND revoked_at IS NULL AND expires_at > now()",
             {std::to_string(agent)})
          .affected());
}

}  // namespace

schema::Agent AgentStore::upsert(const std::string& login, const std::string& name, schema::Role role,
                                 const std::string& password_hash) {
  auto conn = pool_.acquire();
  auto r = conn->exec(std::string("INSERT INTO agents AS a (login, name, role, password_hash) VALUES ($1, $2, $3, $4) "
                                  "ON CONFLICT (login) DO UPDATE SET role = EXCLUDED.role, "
                                  "password_hash = EXCLUDED.password_hash, "
                                  "name = CASE WHEN EXCLUDED.name = '' THEN a.name ELSE EXCLUDED.name END "
                                  "RETURNING ") +
                          kColumns,
                      {login, name, std::string(schema::to_string(role)), password_hash});
  return from_row(r, 0);
}

schema::Agent AgentStore::create(const NewAgent& n, std::optional<std::int64_t> actor) {
  auto conn = pool_.acquire();
  db::Transaction tx(*conn);
  auto r = conn->exec(
      "INSERT INTO agents (login, name, role, password_hash, skills, capacity) VALUES ($1, $2, $3, $4, $5, $6::jsonb) "
      "ON CONFLICT (login) DO NOTHING RETURNING id",
      {n.login, n.name, std::string(schema::to_string(n.role)), n.password_hash, db::array_literal(n.skills),
       capacity_text(n.capacity)});
  if (r.rows() == 0) throw StoreError(StoreError::Kind::conflict, "login_taken", "login \"" + n.login + "\" is taken");
  std::int64_t id = r.int64(0, 0);
  std::vector<std::int64_t> teams = TeamStore::resolve(*conn, n.teams, actor, /*create_missing=*/true);
  set_teams(*conn, id, teams);
  Json::Value detail(Json::objectValue);
  detail["login"] = n.login;
  detail["role"] = std::string(schema::to_string(n.role));
  detail["teams"] = ids_json(teams);
  detail["skills"] = strings_json(n.skills);
  detail["capacity"] = schema::parse_json(capacity_text(n.capacity));
  AuditStore::append(*conn, {actor, "user.created", "user", id, detail});
  schema::Agent a = load(*conn, id);
  tx.commit();
  return a;
}

schema::Agent AgentStore::update(std::int64_t id, const AgentChanges& ch, std::optional<std::int64_t> actor) {
  auto conn = pool_.acquire();
  db::Transaction tx(*conn);
  auto locked = conn->exec("SELECT 1 FROM agents WHERE id = $1 FOR UPDATE", {std::to_string(id)});
  if (locked.rows() == 0) throw StoreError(StoreError::Kind::not_found, "not_found", "no such user");
  const std::string sid = std::to_string(id);
  Json::Value detail(Json::objectValue);
  if (ch.name) {
    conn->exec("UPDATE agents SET name = $2 WHERE id = $1", {sid, *ch.name});
    detail["name"] = *ch.name;
  }
  if (ch.role) {
    conn->exec("UPDATE agents SET role = $2 WHERE id = $1", {sid, std::string(schema::to_string(*ch.role))});
    detail["role"] = std::string(schema::to_string(*ch.role));
  }
  if (ch.skills) {
    conn->exec("UPDATE agents SET skills = $2 WHERE id = $1", {sid, db::array_literal(*ch.skills)});
    detail["skills"] = strings_json(*ch.skills);
  }
  if (ch.capacity) {
    conn->exec("UPDATE agents SET capacity = $2::jsonb WHERE id = $1", {sid, capacity_text(*ch.capacity)});
    detail["capacity"] = schema::parse_json(capacity_text(*ch.capacity));
  }
  if (ch.teams) {
    std::vector<std::int64_t> teams = TeamStore::resolve(*conn, *ch.teams, actor, /*create_missing=*/true);
    set_teams(*conn, id, teams);
    detail["teams"] = ids_json(teams);
  }
  int revoked = 0;
  if (ch.password_hash) {
    // A new password ends every session the old one opened.
    conn->exec("UPDATE agents SET password_hash = $2 WHERE id = $1", {sid, *ch.password_hash});
    revoked += revoke_all(*conn, id);
    detail["password"] = "changed";
  }
  if (ch.disabled) {
    if (*ch.disabled) {
      conn->exec(
          "UPDATE agents SET disabled = true, presence = 'offline', presence_set_by = 'admin', "
          "presence_since = CASE WHEN presence = 'offline' THEN presence_since ELSE now() END WHERE id = $1",
          {sid});
      revoked += revoke_all(*conn, id);
    } else {
      conn->exec("UPDATE agents SET disabled = false WHERE id = $1", {sid});
    }
    detail["disabled"] = *ch.disabled;
  }
  if (revoked > 0) detail["tokens_revoked"] = revoked;
  if (!detail.empty()) {
    conn->exec("UPDATE agents SET updated_at = now() WHERE id = $1", {sid});
    const char* action = ch.disabled && *ch.disabled ? "user.disabled" : "user.updated";
    AuditStore::append(*conn, {actor, action, "user", id, detail});
  }
  schema::Agent a = load(*conn, id);
  tx.commit();
  return a;
}

std::optional<schema::Agent> AgentStore::find_by_login(const std::string& login) {
  auto conn = pool_.acquire();
  auto r = conn->exec(std::string("SELECT ") + kColumns + " FROM agents a WHERE a.login = $1 AND NOT a.disabled",
                      {login});
  if (r.rows() == 0) return std::nullopt;
  return from_row(r, 0);
}

std::optional<schema::Agent> AgentStore::get(std::int64_t id) {
  auto conn = pool_.acquire();
  auto r = conn->exec(std::string("SELECT ") + kColumns + " FROM agents a WHERE a.id = $1", {std::to_string(id)});
  if (r.rows() == 0) return std::nullopt;
  return from_row(r, 0);
}

std::vector<schema::Agent> AgentStore::list(bool include_disabled) {
  auto conn = pool_.acquire();
  auto r = conn->exec(std::string("SELECT ") + kColumns + " FROM agents a WHERE $1 OR NOT a.disabled ORDER BY a.id",
                      {include_disabled ? "true" : "false"});
  std::vector<schema::Agent> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(from_row(r, i));
  return out;
}

IssuedToken AgentStore::issue_token(std::int64_t agent_id, std::chrono::seconds ttl) {
  IssuedToken t;
  t.token = crypto::random_token(32);
  auto conn = pool_.acquire();
  auto r = conn->exec(
      "INSERT INTO auth_tokens (token_sha256, agent_id, expires_at) "
      "VALUES ($1::bytea, $2, now() + make_interval(secs => $3)) RETURNING expires_at",
      {token_digest(t.token), std::to_string(agent_id), std::to_string(ttl.count())});
  t.expires_at = timestamp_at(r, 0, 0);
  return t;
}

std::optional<schema::Agent> AgentStore::agent_for_token(const std::string& token) {
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared(
      "og_agent_for_token",
      std::string("SELECT ") + kColumns +
          " FROM auth_tokens t JOIN agents a ON a.id = t.agent_id "
          "WHERE t.token_sha256 = $1::bytea AND t.revoked_at IS NULL AND t.expires_at > now() AND NOT a.disabled",
      {token_digest(token)});
  if (r.rows() == 0) return std::nullopt;
  return from_row(r, 0);
}

bool AgentStore::revoke_token(const std::string& token) {
  auto conn = pool_.acquire();
  return conn->exec("UPDATE auth_tokens SET revoked_at = now() WHERE token_sha256 = $1::bytea AND revoked_at IS NULL",
                    {token_digest(token)})
             .affected() > 0;
}

int AgentStore::revoke_tokens(std::int64_t agent_id, std::optional<std::int64_t> actor) {
  auto conn = pool_.acquire();
  db::Transaction tx(*conn);
  if (conn->exec("SELECT 1 FROM agents WHERE id = $1", {std::to_string(agent_id)}).rows() == 0)
    throw StoreError(StoreError::Kind::not_found, "not_found", "no such user");
  int n = revoke_all(*conn, agent_id);
  Json::Value detail(Json::objectValue);
  detail["tokens_revoked"] = n;
  AuditStore::append(*conn, {actor, "user.tokens_revoked", "user", agent_id, detail});
  tx.commit();
  return n;
}

schema::Agent AgentStore::set_presence(std::int64_t agent_id, schema::Presence presence) {
  auto conn = pool_.acquire();
  auto r = conn->exec(
      std::string("UPDATE agents AS a SET presence = $2, presence_set_by = 'agent', "
                  "presence_since = CASE WHEN a.presence = $2 THEN a.presence_since ELSE now() END "
                  "WHERE a.id = $1 RETURNING ") +
          kColumns,
      {std::to_string(agent_id), std::string(schema::to_string(presence))});
  if (r.rows() == 0) throw StoreError(StoreError::Kind::not_found, "not_found", "no such user");
  return from_row(r, 0);
}

}  // namespace omnigate::store
