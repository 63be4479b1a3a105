// The signed-in user:
//   GET /v1/me                               -> the user, with "teams":[{"id","name"}]
//   PUT /v1/me/presence {"status":"online|away|offline"} -> the user
// A presence the agent sets here stays until they change it or their last
// workbench socket closes (see gateway/store/presence_store.h); sockets
// never turn an agent who chose away or offline back online.
#include <memory>

#include "gateway/http/api.h"
#include "gateway/http/fields.h"
#include "gateway/http/front.h"
#include "gateway/logging.h"
#include "gateway/store/team_store.h"
#include "schema/json.h"

namespace omnigate::gateway::http {
namespace {

Json::Value me_json(const schema::Agent& a, store::TeamStore& teams) {
  Json::Value j = schema::to_json(a);
  j["teams"] = Json::Value(Json::arrayValue);
  for (auto id : a.team_ids) {
    auto t = teams.get(id);
    if (!t) continue;  // deleted meanwhile
    Json::Value team(Json::objectValue);
    team["id"] = Json::Int64(t->id);
    team["name"] = t->name;
    j["teams"].append(team);
  }
  return j;
}

}  // namespace

void add_me_routes(Front& front) {
  Services& s = front.services();
  auto teams = std::make_shared<store::TeamStore>(s.pool);

  front.route("GET", "/v1/me", "/v1/me", [&s, teams](const httplib::Request& req, httplib::Response& res) {
    send_json(res, 200, me_json(require_user(s, req), *teams));
  });

  front.route("PUT", "/v1/me/presence", "/v1/me/presence", [&s, teams](const httplib::Request& req, httplib::Response& res) {
    auto me = require_user(s, req);
    Json::Value body = json_body(req);
    if (!body.isMember("status")) throw ApiError(400, "bad_request", "status: required");
    auto updated = s.agents.set_presence(me.id, presence(body["status"], "status"));
    spdlog::info("event=presence.set agent={} status={} by=agent", me.id, schema::to_string(updated.presence));
    send_json(res, 200, me_json(updated, *teams));
  });
}

}  // namespace omnigate::gateway::http
