// Users (agents and admins), for admins:
//   POST   /v1/admin/users  {"login","password","name"?,"role"?,"teams"?,"skills"?,"capacity"?} -> 201 user
//          teams are ids or names; a name no team has yet creates that team (audited).
//   GET    /v1/admin/users                 -> {"items":[...],"next":null}, disabled users too
//   GET    /v1/admin/users/{id}
//   PATCH  /v1/admin/users/{id}  any of name, password, role, teams, skills, capacity, disabled
//   DELETE /v1/admin/users/{id}            -> 204: disabled (history keeps the name), every token revoked
//   POST   /v1/admin/users/{id}/revoke_tokens -> {"revoked": n}
// And for everyone:
//   GET    /v1/agents   -> {"items":[{id, login, name, role, presence, team_ids}]}: who to transfer to
// Every change is in the audit log. Passwords are never returned, nor their hashes.
#include "gateway/http/api.h"
#include "gateway/http/fields.h"
#include "gateway/http/front.h"
#include "gateway/logging.h"
#include "schema/json.h"
#include "workbench/auth/password.h"

namespace omnigate::gateway::http {
namespace {

store::AgentChanges changes_from(const Json::Value& body) {
  store::AgentChanges c;
  c.name = optional_string(body, "name", 0, 200);
  if (body.isMember("role")) c.role = role(body["role"], "role");
  if (body.isMember("password")) c.password_hash = workbench::hash_password(new_password(body, "password"));
  if (body.isMember("teams")) c.teams = team_refs(body["teams"], "teams");
  if (body.isMember("skills")) c.skills = string_list(body["skills"], "skills", 100, 100);
  if (body.isMember("capacity")) c.capacity = capacity(body["capacity"], "capacity");
  c.disabled = optional_bool(body, "disabled");
  return c;
}

// An admin cannot lock themselves out: not disable, not demote themselves.
void refuse_self_lockout(const schema::Agent& admin, std::int64_t target, const store::AgentChanges& c) {
  if (admin.id != target) return;
  if ((c.disabled && *c.disabled) || (c.role && *c.role != schema::Role::admin))
    throw ApiError(409, "self_lockout", "admins cannot disable or demote themselves; ask another admin");
}

Json::Value directory_entry(const schema::Agent& a) {
  Json::Value j(Json::objectValue);
  j["id"] = Json::Int64(a.id);
  j["login"] = a.login;
  j["name"] = a.name;
  j["role"] = std::string(schema::to_string(a.role));
  j["presence"] = std::string(schema::to_string(a.presence));
  j["team_ids"] = Json::Value(Json::arrayValue);
  for (auto id : a.team_ids) j["team_ids"].append(Json::Int64(id));
  return j;
}

}  // namespace

void add_user_routes(Front& front) {
  Services& s = front.services();

  front.route("POST", "/v1/admin/users", "/v1/admin/users", [&s](const httplib::Request& req, httplib::Response& res) {
    auto admin = require_admin(s, req);
    Json::Value body = json_body(req);
    store::NewAgent n;
    n.login = login_name(body, "login");
    std::string password = new_password(body, "password");
    n.name = optional_string(body, "name", 0, 200).value_or("");
    n.role = body.isMember("role") ? role(body["role"], "role") : schema::Role::agent;
    if (body.isMember("teams")) n.teams = team_refs(body["teams"], "teams");
    if (body.isMember("skills")) n.skills = string_list(body["skills"], "skills", 100, 100);
    if (body.isMember("capacity")) n.capacity = capacity(body["capacity"], "capacity");
    // Hashing is the slow part (scrypt): only once the input is known good.
    n.password_hash = workbench::hash_password(password);
    auto agent = s.agents.create(n, admin.id);
    spdlog::info("event=admin.user_created by={} user={} role={}", q(admin.login), agent.id,
                 schema::to_string(agent.role));
    send_json(res, 201, schema::to_json(agent));
  });

  front.route("GET", "/v1/admin/users", "/v1/admin/users", [&s](const httplib::Request& req, httplib::Response& res) {
    require_admin(s, req);
    Json::Value out(Json::objectValue);
    out["items"] = Json::Value(Json::arrayValue);
    for (const auto& a : s.agents.list(/*include_disabled=*/true)) out["items"].append(schema::to_json(a));
    out["next"] = Json::Value::null;
    send_json(res, 200, out);
  });

  front.route("GET", R"(/v1/admin/users/(\d+))", "/v1/admin/users/{id}",
              [&s](const httplib::Request& req, httplib::Response& res) {
                require_admin(s, req);
                auto a = s.agents.get(path_id(req, 1));
                if (!a) throw ApiError(404, "not_found", "no such user");
                send_json(res, 200, schema::to_json(*a));
              });

  front.route("PATCH", R"(/v1/admin/users/(\d+))", "/v1/admin/users/{id}",
              [&s](const httplib::Request& req, httplib::Response& res) {
                auto admin = require_admin(s, req);
                std::int64_t id = path_id(req, 1);
                store::AgentChanges changes = changes_from(json_body(req));
                refuse_self_lockout(admin, id, changes);
                auto a = s.agents.update(id, changes, admin.id);
                spdlog::info("event=admin.user_updated by={} user={}", q(admin.login), id);
                send_json(res, 200, schema::to_json(a));
              });

  front.route("DELETE", R"(/v1/admin/users/(\d+))", "/v1/admin/users/{id}",
              [&s](const httplib::Request& req, httplib::Response& res) {
                auto admin = require_admin(s, req);
                std::int64_t id = path_id(req, 1);
                store::AgentChanges changes;
                changes.disabled = true;
                refuse_self_lockout(admin, id, changes);
                s.agents.update(id, changes, admin.id);
                spdlog::info("event=admin.user_disabled by={} user={}", q(admin.login), id);
                res.status = 204;
              });

  front.route("POST", R"(/v1/admin/users/(\d+)/revoke_tokens)", "/v1/admin/users/{id}/revoke_tokens",
              [&s](const httplib::Request& req, httplib::Response& res) {
                auto admin = require_admin(s, req);
                std::int64_t id = path_id(req, 1);
                int n = s.agents.revoke_tokens(id, admin.id);
                spdlog::info("event=admin.tokens_revoked by={} user={} count={}", q(admin.login), id, n);
                Json::Value out(Json::objectValue);
                out["revoked"] = n;
                send_json(res, 200, out);
              });

  front.route("GET", "/v1/agents", "/v1/agents", [&s](const httplib::Request& req, httplib::Response& res) {
    require_user(s, req);
    Json::Value out(Json::objectValue);
    out["items"] = Json::Value(Json::arrayValue);
    for (const auto& a : s.agents.list(/*include_disabled=*/false)) out["items"].append(directory_entry(a));
    out["next"] = Json::Value::null;
    send_json(res, 200, out);
  });
}

}  // namespace omnigate::gateway::http
