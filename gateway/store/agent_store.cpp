#include "gateway/store/agent_store.h"

#include "adapters/common/crypto.h"
#include "gateway/store/columns.h"
#include "schema/json.h"

namespace omnigate::store {
namespace {

constexpr const char* kColumns = "a.id, a.login, a.name, a.password_hash, a.role, a.presence, a.created_at";

schema::Agent from_row(const db::PgResult& r, int i) {
  schema::Agent a;
  a.id = r.int64(i, 0);
  a.login = r.str(i, 1);
  a.name = r.str(i, 2);
  a.password_hash = r.str(i, 3);
  a.role = schema::role_from_string(r.text(i, 4));
  a.presence = schema::presence_from_string(r.text(i, 5));
  a.created_at = timestamp_at(r, i, 6);
  return a;
}

// bytea parameter in PostgreSQL's hex input form.
std::string token_digest(const std::string& token) { return "\\x" + crypto::to_hex(crypto::sha256(token)); }

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

std::string AgentStore::issue_token(std::int64_t agent_id, std::chrono::seconds ttl) {
  std::string token = crypto::random_token(32);
  auto conn = pool_.acquire();
  conn->exec(
      "INSERT INTO auth_tokens (token_sha256, agent_id, expires_at) "
      "VALUES ($1::bytea, $2, now() + make_interval(secs => $3))",
      {token_digest(token), std::to_string(agent_id), std::to_string(ttl.count())});
  return token;
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

}  // namespace omnigate::store
