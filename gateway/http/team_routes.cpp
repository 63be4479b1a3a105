// Teams, for admins:
//   POST   /v1/admin/teams       {"name","fallback_team"?: id|name|null} -> 201 team
//   GET    /v1/admin/teams       -> {"items":[...],"next":null}
//   GET    /v1/admin/teams/{id}
//   PATCH  /v1/admin/teams/{id}  {"name"?, "fallback_team"?: id|name|null}
//   DELETE /v1/admin/teams/{id}  -> 204; 409 while it has open conversations
// And for everyone:
//   GET    /v1/teams             the same list (names, fallbacks, members)
// A team is {"id","name","fallback_team": id|null,"members":[agent ids],"created_at"}.
#include <memory>

#include "gateway/http/api.h"
#include "gateway/http/fields.h"
#include "gateway/http/front.h"
#include "gateway/logging.h"
#include "gateway/store/team_store.h"

namespace omnigate::gateway::http {
namespace {

std::optional<store::TeamRef> fallback_of(const Json::Value& v) {
  if (v.isNull()) return std::nullopt;
  return team_ref(v, "fallback_team");
}

Json::Value team_list(store::TeamStore& teams) {
  Json::Value out(Json::objectValue);
  out["items"] = Json::Value(Json::arrayValue);
  for (const auto& t : teams.list()) out["items"].append(store::to_json(t));
  out["next"] = Json::Value::null;
  return out;
}

}  // namespace

void add_team_routes(Front& front) {
  Services& s = front.services();
  auto teams = std::make_shared<store::TeamStore>(s.pool);

  front.route("POST", "/v1/admin/teams", "/v1/admin/teams", [&s, teams](const httplib::Request& req, httplib::Response& res) {
    auto admin = require_admin(s, req);
    Json::Value body = json_body(req);
    std::string name = required_string(body, "name", 1, 200);
    auto team = teams->create(name, fallback_of(body["fallback_team"]), admin.id);
    spdlog::info("event=admin.team_created by={} team={}", q(admin.login), team.id);
    send_json(res, 201, store::to_json(team));
  });

  front.route("GET", "/v1/admin/teams", "/v1/admin/teams", [&s, teams](const httplib::Request& req, httplib::Response& res) {
    require_admin(s, req);
    send_json(res, 200, team_list(*teams));
  });

  front.route("GET", "/v1/teams", "/v1/teams", [&s, teams](const httplib::Request& req, httplib::Response& res) {
    require_user(s, req);
    send_json(res, 200, team_list(*teams));
  });

  front.route("GET", R"(/v1/admin/teams/(\d+))", "/v1/admin/teams/{id}",
              [&s, teams](const httplib::Request& req, httplib::Response& res) {
                require_admin(s, req);
                auto team = teams->get(path_id(req, 1));
                if (!team) throw ApiError(404, "not_found", "no such team");
                send_json(res, 200, store::to_json(*team));
              });

  front.route("PATCH", R"(/v1/admin/teams/(\d+))", "/v1/admin/teams/{id}",
              [&s, teams](const httplib::Request& req, httplib::Response& res) {
                auto admin = require_admin(s, req);
                Json::Value body = json_body(req);
                store::TeamChanges changes;
                changes.name = optional_string(body, "name", 1, 200);
                if (body.isMember("fallback_team")) changes.fallback = fallback_of(body["fallback_team"]);
                auto team = teams->update(path_id(req, 1), changes, admin.id);
                spdlog::info("event=admin.team_updated by={} team={}", q(admin.login), team.id);
                send_json(res, 200, store::to_json(team));
              });

  front.route("DELETE", R"(/v1/admin/teams/(\d+))", "/v1/admin/teams/{id}",
              [&s, teams](const httplib::Request& req, httplib::Response& res) {
                auto admin = require_admin(s, req);
                std::int64_t id = path_id(req, 1);
                teams->remove(id, admin.id);
                spdlog::info("event=admin.team_deleted by={} team={}", q(admin.login), id);
                res.status = 204;
              });
}

}  // namespace omnigate::gateway::http
