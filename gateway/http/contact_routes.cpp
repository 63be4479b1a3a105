// Contacts, for every user:
//   GET   /v1/contacts?q=&limit=&cursor=   -> {"items":[contact...],"next": cursor|null}: name or
//         identity (OpenID, email, visitor id) starting with q, or the contact id q; newest first
//   GET   /v1/contacts/{id}   -> the contact with every identity (and its channel's name) and
//         "conversations" across channels, most recent first (those the user may see, by
//         workbench/access/conversation_access.h); "merged_into" when merged away
//   PATCH /v1/contacts/{id}   {"name"?, "attributes"?: {k: v|null}, "tags"?: [...]}
//         attributes are merged key by key (null removes a key); tags are replaced
//   POST  /v1/contacts/{id}/merge {"other": id} -> the merged contact: other's identities and
//         conversations move here (so a customer who wrote on WeChat and by email is one
//         contact); 409 when both have an open conversation on one channel
#include <memory>

#include "gateway/http/api.h"
#include "gateway/http/fields.h"
#include "gateway/http/front.h"
#include "gateway/logging.h"
#include "gateway/store/contact_store.h"
#include "schema/json.h"
#include "workbench/access/conversation_access.h"

namespace omnigate::gateway::http {
namespace {

Json::Value optional_id(const std::optional<std::int64_t>& id) {
  return id ? Json::Value(Json::Int64(*id)) : Json::Value::null;
}

Json::Value view_json(const store::ContactView& v, const workbench::Viewer& viewer) {
  Json::Value j = schema::to_json(v.contact);
  for (auto& identity : j["identities"]) {
    auto name = v.channel_names.find(identity["channel_id"].asInt64());
    if (name != v.channel_names.end()) identity["channel_name"] = name->second;
  }
  j["merged_into"] = optional_id(v.merged_into);
  j["conversations"] = Json::Value(Json::arrayValue);
  for (const auto& c : v.conversations) {
    if (!workbench::may_see(viewer, {c.team_id, c.assignee_id, std::nullopt})) continue;
    Json::Value cj(Json::objectValue);
    cj["id"] = Json::Int64(c.id);
    cj["status"] = std::string(schema::to_string(c.status));
    cj["assignee"] = optional_id(c.assignee_id);
    cj["team"] = optional_id(c.team_id);
    cj["last_seq"] = Json::Int64(c.last_seq);
    cj["last_message_at"] = c.last_message_at ? Json::Value(schema::format_timestamp(*c.last_message_at)) : Json::Value::null;
    cj["created_at"] = schema::format_timestamp(c.created_at);
    cj["channel"]["id"] = Json::Int64(c.channel_id);
    cj["channel"]["type"] = c.channel_type;
    cj["channel"]["name"] = c.channel_name;
    j["conversations"].append(cj);
  }
  return j;
}

store::ContactView load(store::ContactStore& contacts, std::int64_t id) {
  auto v = contacts.view(id);
  if (!v) throw ApiError(404, "not_found", "no such contact");
  return *v;
}

}  // namespace

void add_contact_routes(Front& front) {
  Services& s = front.services();
  store::ContactStore& contacts = s.contacts;

  front.route("GET", "/v1/contacts", "/v1/contacts", [&s, &contacts](const httplib::Request& req, httplib::Response& res) {
    require_user(s, req);
    std::string q = req.get_param_value("q");
    if (q.size() > 512) throw ApiError(400, "bad_request", "q: at most 512 bytes");
    int limit = static_cast<int>(int_param(req, "limit", 50, 1, 200));
    std::optional<std::int64_t> before;
    if (req.has_param("cursor")) before = int_param(req, "cursor", 0, 1, INT64_MAX);
    auto found = contacts.search(q, before, limit + 1);
    Json::Value out(Json::objectValue);
    out["items"] = Json::Value(Json::arrayValue);
    for (size_t i = 0; i < found.size() && i < static_cast<size_t>(limit); ++i)
      out["items"].append(schema::to_json(found[i]));
    out["next"] = found.size() > static_cast<size_t>(limit) ? Json::Value(Json::Int64(found[static_cast<size_t>(limit) - 1].id))
                                                            : Json::Value::null;
    send_json(res, 200, out);
  });

  front.route("GET", R"(/v1/contacts/(\d+))", "/v1/contacts/{id}",
              [&s, &contacts](const httplib::Request& req, httplib::Response& res) {
                auto user = require_user(s, req);
                send_json(res, 200, view_json(load(contacts, path_id(req, 1)), workbench::viewer_of(user)));
              });

  front.route("PATCH", R"(/v1/contacts/(\d+))", "/v1/contacts/{id}",
              [&s, &contacts](const httplib::Request& req, httplib::Response& res) {
                auto user = require_user(s, req);
                std::int64_t id = path_id(req, 1);
                Json::Value body = json_body(req);
                store::ContactEdit e;
                e.name = optional_string(body, "name", 0, 200);
                if (body.isMember("attributes")) {
                  if (!body["attributes"].isObject()) throw ApiError(400, "bad_request", "attributes: expected an object");
                  e.attributes = body["attributes"];
                }
                if (body.isMember("tags")) e.tags = string_list(body["tags"], "tags", 100, 100);
                contacts.update(id, e);
                send_json(res, 200, view_json(load(contacts, id), workbench::viewer_of(user)));
              });

  front.route("POST", R"(/v1/contacts/(\d+)/merge)", "/v1/contacts/{id}/merge",
              [&s, &contacts](const httplib::Request& req, httplib::Response& res) {
                auto user = require_user(s, req);
                std::int64_t id = path_id(req, 1);
                std::int64_t other = required_id(json_body(req), "other");
                contacts.merge(id, other, user.id);
                spdlog::info("event=contact.merged by={} into={} other={}", q(user.login), id, other);
                send_json(res, 200, view_json(load(contacts, id), workbench::viewer_of(user)));
              });
}

}  // namespace omnigate::gateway::http
