#include "gateway/http/api.h"

#include <charconv>

#include "schema/json.h"

namespace omnigate::gateway::http {

void send_json(httplib::Response& res, int status, const Json::Value& body) {
  res.status = status;
  res.set_content(schema::write_json(body), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& code, const std::string& message) {
  Json::Value e(Json::objectValue);
  e["error"]["code"] = code;
  e["error"]["message"] = message;
  send_json(res, status, e);
}

Json::Value json_body(const httplib::Request& req) {
  Json::Value v;
  try {
    v = schema::parse_json(req.body);
  } catch (const schema::InvalidJson& e) {
    throw ApiError(400, "bad_request", e.what());
  }
  if (!v.isObject()) throw ApiError(400, "bad_request", "body: expected a JSON object");
  return v;
}

namespace {
std::int64_t to_int(const std::string& text, const std::string& what) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) throw ApiError(400, "bad_request", what + ": expected an integer");
  return v;
}
}  // namespace

std::int64_t int_param(const httplib::Request& req, const char* name, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) {
  if (!req.has_param(name)) return fallback;
  std::int64_t v = to_int(req.get_param_value(name), name);
  if (v < min || v > max)
    throw ApiError(400, "bad_request", std::string(name) + ": expected " + std::to_string(min) + ".." + std::to_string(max));
  return v;
}

std::int64_t path_id(const httplib::Request& req, size_t match_index) {
  return to_int(req.matches[static_cast<long>(match_index)].str(), "id");
}

schema::Agent require_user(Services& s, const httplib::Request& req) {
  std::string auth = req.get_header_value("Authorization");
  constexpr std::string_view prefix = "Bearer ";
  if (!auth.starts_with(prefix)) throw ApiError(401, "unauthorized", "missing bearer token");
  auto agent = s.agents.agent_for_token(auth.substr(prefix.size()));
  if (!agent) throw ApiError(401, "unauthorized", "token is invalid, expired or revoked");
  return *agent;
}

schema::Agent require_admin(Services& s, const httplib::Request& req) {
  auto agent = require_user(s, req);
  if (agent.role != schema::Role::admin) throw ApiError(403, "forbidden", "admins only");
  return agent;
}

}  // namespace omnigate::gateway::http
