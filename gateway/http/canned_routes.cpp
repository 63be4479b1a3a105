// Canned responses:
//   GET    /v1/canned?q=<prefix>&limit=  -> {"items":[...]}: the user's own, their teams' and the global
//          ones (admins: every team's), best matches first (shortcode, title, a title word, a body word)
//   GET    /v1/canned/{id}
//   POST   /v1/canned {"shortcode","title"?,"body","scope"?:"personal|team|global","team"?: id|name} -> 201
//   PATCH  /v1/canned/{id} {"shortcode"?,"title"?,"body"?}
//   DELETE /v1/canned/{id} -> 204
// Everyone manages their own (personal, the default scope); team and global
// ones are admins' (and audited). Someone else's personal response does not
// exist for anyone else: 404, never 403.
#include <algorithm>
#include <memory>

#include "gateway/db/pg.h"
#include "gateway/http/api.h"
#include "gateway/http/fields.h"
#include "gateway/http/front.h"
#include "gateway/store/canned_store.h"
#include "gateway/store/team_store.h"

namespace omnigate::gateway::http {
namespace {

constexpr size_t kMaxShortcode = 64;
constexpr size_t kMaxTitle = 200;
constexpr size_t kMaxBody = 16 * 1024;

store::CannedViewer viewer_of(const schema::Agent& a) {
  return {a.id, a.team_ids, a.role == schema::Role::admin};
}

bool member_of(const schema::Agent& a, std::int64_t team) {
  return std::find(a.team_ids.begin(), a.team_ids.end(), team) != a.team_ids.end();
}

// The response as `user` may see it; 404 otherwise.
store::CannedResponse visible(store::CannedStore& canned, const schema::Agent& user, std::int64_t id) {
  auto c = canned.get(id);
  bool ok = c && (c->owner_id ? *c->owner_id == user.id
                              : !c->team_id || user.role == schema::Role::admin || member_of(user, *c->team_id));
  if (!ok) throw ApiError(404, "not_found", "no such canned response");
  return *c;
}

// As visible(), and 403 unless the user may change it.
store::CannedResponse editable(store::CannedStore& canned, const schema::Agent& user, std::int64_t id) {
  auto c = visible(canned, user, id);
  if (!c.owner_id && user.role != schema::Role::admin)
    throw ApiError(403, "forbidden", "team and global canned responses are managed by admins");
  return c;
}

}  // namespace

void add_canned_routes(Front& front) {
  Services& s = front.services();
  auto canned = std::make_shared<store::CannedStore>(s.pool);

  front.route("GET", "/v1/canned", "/v1/canned", [&s, canned](const httplib::Request& req, httplib::Response& res) {
    auto user = require_user(s, req);
    std::string q = req.get_param_value("q");
    if (q.size() > kMaxShortcode * 4) throw ApiError(400, "bad_request", "q: too long");
    int limit = static_cast<int>(int_param(req, "limit", 20, 1, 200));
    Json::Value out(Json::objectValue);
    out["items"] = Json::Value(Json::arrayValue);
    for (const auto& c : canned->search(viewer_of(user), q, limit)) out["items"].append(store::to_json(c));
    send_json(res, 200, out);
  });

  front.route("GET", R"(/v1/canned/(\d+))", "/v1/canned/{id}",
              [&s, canned](const httplib::Request& req, httplib::Response& res) {
                auto user = require_user(s, req);
                send_json(res, 200, store::to_json(visible(*canned, user, path_id(req, 1))));
              });

  front.route("POST", "/v1/canned", "/v1/canned", [&s, canned](const httplib::Request& req, httplib::Response& res) {
    auto user = require_user(s, req);
    Json::Value body = json_body(req);
    store::CannedResponse d;
    d.shortcode = required_string(body, "shortcode", 1, kMaxShortcode);
    d.title = optional_string(body, "title", 0, kMaxTitle).value_or("");
    d.body = required_string(body, "body", 1, kMaxBody);
    std::string scope = optional_string(body, "scope", 1, 16).value_or("personal");
    if (scope == "personal") {
      if (body.isMember("team")) throw ApiError(400, "bad_request", "team: only with scope \"team\"");
      d.owner_id = user.id;
    } else if (scope == "team" || scope == "global") {
      if (user.role != schema::Role::admin)
        throw ApiError(403, "forbidden", "team and global canned responses are managed by admins");
      if (scope == "team") {
        if (!body.isMember("team")) throw ApiError(400, "bad_request", "team: required with scope \"team\"");
        auto conn = s.pool.acquire();
        d.team_id = store::TeamStore::resolve(*conn, {team_ref(body["team"], "team")}, std::nullopt, false).at(0);
      } else if (body.isMember("team")) {
        throw ApiError(400, "bad_request", "team: only with scope \"team\"");
      }
    } else {
      throw ApiError(400, "bad_request", "scope: expected \"personal\", \"team\" or \"global\"");
    }
    send_json(res, 201, store::to_json(canned->create(d, user.id)));
  });

  front.route("PATCH", R"(/v1/canned/(\d+))", "/v1/canned/{id}",
              [&s, canned](const httplib::Request& req, httplib::Response& res) {
                auto user = require_user(s, req);
                auto c = editable(*canned, user, path_id(req, 1));
                Json::Value body = json_body(req);
                store::CannedEdit e;
                e.shortcode = optional_string(body, "shortcode", 1, kMaxShortcode);
                e.title = optional_string(body, "title", 0, kMaxTitle);
                e.body = optional_string(body, "body", 1, kMaxBody);
                send_json(res, 200, store::to_json(canned->update(c.id, e, user.id)));
              });

  front.route("DELETE", R"(/v1/canned/(\d+))", "/v1/canned/{id}",
              [&s, canned](const httplib::Request& req, httplib::Response& res) {
                auto user = require_user(s, req);
                auto c = editable(*canned, user, path_id(req, 1));
                canned->remove(c.id, user.id);
                res.status = 204;
              });
}

}  // namespace omnigate::gateway::http
