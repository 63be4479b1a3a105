// Admin API for channels:
//   POST   /v1/admin/channels        {"type","name","config"} -> channel with token, secrets, inbound_url
//   GET    /v1/admin/channels        -> {"items":[...],"next":null}
//   GET    /v1/admin/channels/{id}
//   PATCH  /v1/admin/channels/{id}   {"name"?,"config"?,"enabled"?,"rotate_token"?,"rotate_secrets"?}
//     rotate_secrets: true regenerates every secret (ones the admin supplied,
//     such as a WeChat app_secret, must then be sent again in config), or a
//     list of names regenerates just those: ["encoding_aes_key"].
//   DELETE /v1/admin/channels/{id}
// Every change is in the audit log (which fields changed, never their values:
// config may carry an app secret on its way into secrets).
// For every user (agents included), without tokens, config or secrets:
//   GET    /v1/channels              -> {"items":[{"id","type","name","enabled"}],"next":null}
#include "adapters/common/crypto.h"
#include "gateway/http/api.h"
#include "gateway/http/front.h"
#include "gateway/logging.h"
#include "gateway/store/audit_store.h"
#include "schema/json.h"

namespace omnigate::gateway::http {
namespace {

Json::Value channel_json(const schema::Channel& c, const std::string& public_url) {
  Json::Value v = schema::to_json(c, /*include_secrets=*/true);
  // What to paste into WeChat's console or a relay: absolute when the
  // gateway knows its public address.
  v["inbound_url"] = public_url + "/v1/hooks/" + c.token;
  // Web and app channels: the public key clients send in hello.
  if (c.config.isMember("key")) v["key"] = c.config["key"];
  return v;
}

const adapters::Adapter& adapter_for(Services& s, schema::ChannelType type) {
  const adapters::Adapter* a = s.adapters.find(type);
  if (!a) throw ApiError(400, "unsupported_channel_type",
                         "channel type \"" + std::string(schema::to_string(type)) + "\" is not available in this build");
  return *a;
}

// What an agent may know of a channel: enough to label a conversation.
Json::Value public_channel_json(const schema::Channel& c) {
  Json::Value v(Json::objectValue);
  v["id"] = Json::Int64(c.id);
  v["type"] = std::string(schema::to_string(c.type));
  v["name"] = c.name;
  v["enabled"] = c.enabled;
  return v;
}

store::AuditEntry channel_audit(const schema::Agent& admin, const char* action, std::int64_t id, Json::Value detail) {
  return {admin.id, action, "channel", id, std::move(detail)};
}

std::string checked_name(const Json::Value& v) {
  if (!v.isString() || v.asString().empty() || v.asString().size() > 200)
    throw ApiError(400, "bad_request", "name: required, 1 to 200 characters");
  return v.asString();
}

}  // namespace

void add_channel_routes(Front& front) {
  Services& s = front.services();
  auto audit = std::make_shared<store::AuditStore>(s.pool);

  front.route("GET", "/v1/channels", "/v1/channels", [&s](const httplib::Request& req, httplib::Response& res) {
    require_user(s, req);
    Json::Value out(Json::objectValue);
    out["items"] = Json::Value(Json::arrayValue);
    for (const auto& c : s.channels.list()) out["items"].append(public_channel_json(c));
    out["next"] = Json::Value::null;
    send_json(res, 200, out);
  });

  front.route("POST", "/v1/admin/channels", "/v1/admin/channels", [&s, audit](const httplib::Request& req, httplib::Response& res) {
    auto admin = require_admin(s, req);
    Json::Value body = json_body(req);
    if (!body["type"].isString()) throw ApiError(400, "bad_request", "type: required string");
    auto type = schema::channel_type_from_string(body["type"].asString());
    if (!type) throw ApiError(400, "bad_request", "type: unknown channel type \"" + body["type"].asString() + "\"");
    schema::Channel ch;
    ch.type = *type;
    ch.name = checked_name(body["name"]);
    ch.config = body.isMember("config") ? body["config"] : Json::Value(Json::objectValue);
    ch.token = crypto::random_token(24);
    adapter_for(s, ch.type).configure(ch);
    ch = s.channels.create(ch);
    Json::Value detail(Json::objectValue);
    detail["name"] = ch.name;
    detail["type"] = std::string(schema::to_string(ch.type));
    audit->record(channel_audit(admin, "channel.created", ch.id, detail));
    spdlog::info("event=admin.channel_created by={} channel={} type={}", q(admin.login), ch.id, schema::to_string(ch.type));
    send_json(res, 201, channel_json(ch, s.config.public_url));
  });

  front.route("GET", "/v1/admin/channels", "/v1/admin/channels", [&s](const httplib::Request& req, httplib::Response& res) {
    require_admin(s, req);
    Json::Value out(Json::objectValue);
    out["items"] = Json::Value(Json::arrayValue);
    for (const auto& c : s.channels.list()) out["items"].append(channel_json(c, s.config.public_url));
    out["next"] = Json::Value::null;
    send_json(res, 200, out);
  });

  auto load = [&s](const httplib::Request& req) {
    auto ch = s.channels.get(path_id(req, 1));
    if (!ch) throw ApiError(404, "not_found", "no such channel");
    return *ch;
  };

  front.route("GET", R"(/v1/admin/channels/(\d+))", "/v1/admin/channels/{id}",
              [&s, load](const httplib::Request& req, httplib::Response& res) {
                require_admin(s, req);
                send_json(res, 200, channel_json(load(req), s.config.public_url));
              });

  front.route("PATCH", R"(/v1/admin/channels/(\d+))", "/v1/admin/channels/{id}",
              [&s, load, audit](const httplib::Request& req, httplib::Response& res) {
                auto admin = require_admin(s, req);
                Json::Value body = json_body(req);
                schema::Channel ch = load(req);
                if (body.isMember("name")) ch.name = checked_name(body["name"]);
                if (body.isMember("enabled")) {
                  if (!body["enabled"].isBool()) throw ApiError(400, "bad_request", "enabled: expected true or false");
                  ch.enabled = body["enabled"].asBool();
                }
                if (body.isMember("config")) ch.config = body["config"];
                if (body.get("rotate_token", false).asBool()) ch.token = crypto::random_token(24);
                const Json::Value& rotate = body["rotate_secrets"];
                if (rotate.isArray()) {
                  for (const auto& name : rotate) ch.secrets.removeMember(name.asString());
                } else if (rotate.isBool() && rotate.asBool()) {
                  ch.secrets = Json::Value(Json::objectValue);
                } else if (!rotate.isNull()) {
                  throw ApiError(400, "bad_request", "rotate_secrets: expected true or a list of secret names");
                }
                adapter_for(s, ch.type).configure(ch);
                if (!s.channels.update(ch)) throw ApiError(404, "not_found", "no such channel");
                s.channel_cache.invalidate();
                Json::Value detail(Json::objectValue);
                detail["changed"] = Json::Value(Json::arrayValue);
                for (const auto& key : body.getMemberNames()) detail["changed"].append(key);
                audit->record(channel_audit(admin, "channel.updated", ch.id, detail));
                spdlog::info("event=admin.channel_updated by={} channel={}", q(admin.login), ch.id);
                send_json(res, 200, channel_json(*s.channels.get(ch.id), s.config.public_url));
              });

  front.route("DELETE", R"(/v1/admin/channels/(\d+))", "/v1/admin/channels/{id}",
              [&s, audit](const httplib::Request& req, httplib::Response& res) {
                auto admin = require_admin(s, req);
                if (!s.channels.remove(path_id(req, 1))) throw ApiError(404, "not_found", "no such channel");
                s.channel_cache.invalidate();
                audit->record(channel_audit(admin, "channel.deleted", path_id(req, 1), Json::Value(Json::objectValue)));
                spdlog::info("event=admin.channel_deleted by={} channel={}", q(admin.login), req.matches[1].str());
                res.status = 204;
              });
}

}  // namespace omnigate::gateway::http
