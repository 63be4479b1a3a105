// The queue's numbers and its settings:
//   GET /v1/stats -> {"queue":{"length","longest_wait_s","by_team":[{"team","length","longest_wait_s"}]},
//                     "agents_online", "messages_per_minute":{"<channel type>": n},
//                     "messages_last_15_min":{"<channel type>": n},
//                     "first_response":{"today","average_s"|null}}
//       (agents count only the waiting conversations they may see)
//   GET /v1/admin/routing-rules -> {"rules","sla","reopen_window_s","updated_at"}
//   PUT /v1/admin/routing-rules {"rules"?, "sla"?, "reopen_window_s"?} (admins)
//       rules: the router's JSON (workbench/router/rules.h; {} = least-busy
//       over every online agent with room); a mistake answers 400
//       invalid_rules naming its JSON path.
//       sla: {"first_response_s"?, "resolution_s"?, "teams"?: {"<team id>": {...}}}
//       reopen_window_s: a customer writing within this long after a resolve
//       reopens the conversation.
#include <algorithm>

#include "gateway/http/api.h"
#include "gateway/http/front.h"
#include "gateway/store/assignment_store.h"
#include "gateway/store/stats_store.h"
#include "schema/json.h"
#include "workbench/router/rules.h"

namespace omnigate::gateway::http {
namespace {

constexpr std::int64_t kMaxSlaSeconds = 10LL * 366 * 24 * 3600;

[[noreturn]] void invalid(const std::string& path, const std::string& problem) {
  throw ApiError(400, "invalid_sla", path + ": " + problem);
}

void check_sla_targets(const Json::Value& v, const std::string& path, bool allow_teams) {
  if (!v.isObject()) invalid(path, "expected an object");
  for (const auto& key : v.getMemberNames()) {
    const Json::Value& x = v[key];
    if (key == "first_response_s" || key == "resolution_s") {
      if (!x.isIntegral() || x.asInt64() < 0 || x.asInt64() > kMaxSlaSeconds)
        invalid(path + "." + key, "expected seconds, 0 (none) or more");
    } else if (key == "teams" && allow_teams) {
      if (!x.isObject()) invalid(path + ".teams", "expected an object of team ids");
    } else {
      invalid(path + "." + key, "unknown key");
    }
  }
}

void check_sla(const Json::Value& sla, const std::vector<workbench::router::Team>& teams) {
  check_sla_targets(sla, "sla", true);
  const Json::Value& by_team = sla["teams"];
  for (const auto& key : by_team.getMemberNames()) {
    bool known = std::any_of(teams.begin(), teams.end(),
                             [&](const workbench::router::Team& t) { return std::to_string(t.id) == key; });
    if (!known) invalid("sla.teams." + key, "no such team id");
    check_sla_targets(by_team[key], "sla.teams." + key, false);
  }
}

Json::Value settings_json(const store::RoutingSettings& s) {
  Json::Value out(Json::objectValue);
  out["rules"] = s.rules;
  out["sla"] = s.sla;
  out["reopen_window_s"] = s.reopen_window_s;
  out["updated_at"] = schema::format_timestamp(s.updated_at);
  return out;
}

std::int64_t seconds_between(schema::Timestamp from, schema::Timestamp to) {
  return std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(to - from).count());
}

}  // namespace

void add_queue_routes(Front& front) {
  Services& s = front.services();

  front.route("GET", "/v1/stats", "/v1/stats", [&s](const httplib::Request& req, httplib::Response& res) {
    auto user = require_user(s, req);
    auto viewer = workbench::viewer_of(user);
    auto stats = store::StatsStore(s.pool).read();
    Json::Value out(Json::objectValue);
    Json::Value& queue = out["queue"] = Json::Value(Json::objectValue);
    Json::Value& by_team = queue["by_team"] = Json::Value(Json::arrayValue);
    int length = 0;
    std::optional<schema::Timestamp> oldest;
    for (const auto& q : stats.queue) {
      // The SQL rule's team part: team-less queues are everyone's.
      if (!workbench::may_see(viewer, {q.team, std::nullopt, std::nullopt})) continue;
      Json::Value t(Json::objectValue);
      t["team"] = q.team ? Json::Value(Json::Int64(*q.team)) : Json::Value();
      t["length"] = q.length;
      t["longest_wait_s"] = q.oldest ? Json::Int64(seconds_between(*q.oldest, stats.now)) : Json::Int64(0);
      by_team.append(t);
      length += q.length;
      if (q.oldest && (!oldest || *q.oldest < *oldest)) oldest = q.oldest;
    }
    queue["length"] = length;
    queue["longest_wait_s"] = oldest ? Json::Int64(seconds_between(*oldest, stats.now)) : Json::Int64(0);
    out["agents_online"] = stats.agents_online;
    Json::Value& per_minute = out["messages_per_minute"] = Json::Value(Json::objectValue);
    Json::Value& last15 = out["messages_last_15_min"] = Json::Value(Json::objectValue);
    for (const auto& [type, n] : stats.messages_15min) {
      last15[type] = Json::Int64(n);
      per_minute[type] = static_cast<double>(n) / 15.0;
    }
    Json::Value& first = out["first_response"] = Json::Value(Json::objectValue);
    first["today"] = stats.first_responses_today;
    first["average_s"] = stats.average_first_response_s ? Json::Value(*stats.average_first_response_s) : Json::Value();
    send_json(res, 200, out);
  });

  front.route("GET", "/v1/admin/routing-rules", "/v1/admin/routing-rules",
              [&s](const httplib::Request& req, httplib::Response& res) {
                require_admin(s, req);
                send_json(res, 200, settings_json(s.assignments.settings()));
              });

  front.route("PUT", "/v1/admin/routing-rules", "/v1/admin/routing-rules",
              [&s](const httplib::Request& req, httplib::Response& res) {
                auto admin = require_admin(s, req);
                Json::Value body = json_body(req);
                for (const auto& key : body.getMemberNames())
                  if (key != "rules" && key != "sla" && key != "reopen_window_s")
                    throw ApiError(400, "bad_request", key + ": unknown key (rules, sla, reopen_window_s)");
                if (body.empty()) throw ApiError(400, "bad_request", "give rules, sla or reopen_window_s");
                std::vector<workbench::router::Team> teams;
                {
                  auto conn = s.pool.acquire();
                  teams = s.assignments.teams(*conn);
                }
                std::optional<Json::Value> rules, sla;
                std::optional<int> window;
                if (body.isMember("rules")) {
                  try {
                    auto parsed = workbench::router::Rules::parse(body["rules"]);
                    parsed.check_teams(teams);
                  } catch (const workbench::router::RulesError& e) {
                    throw ApiError(400, "invalid_rules", e.what());
                  }
                  rules = body["rules"].isNull() ? Json::Value(Json::objectValue) : body["rules"];
                }
                if (body.isMember("sla")) {
                  check_sla(body["sla"], teams);
                  sla = body["sla"];
                }
                if (body.isMember("reopen_window_s")) {
                  const Json::Value& w = body["reopen_window_s"];
                  if (!w.isIntegral() || w.asInt64() < 0 || w.asInt64() > 366LL * 24 * 3600)
                    throw ApiError(400, "bad_request", "reopen_window_s: expected seconds, 0 to a year");
                  window = w.asInt();
                }
                send_json(res, 200, settings_json(s.assignments.save_settings(rules, sla, window, admin.id)));
              });
}

}  // namespace omnigate::gateway::http
