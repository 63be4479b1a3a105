#include "adapters/app/app_adapter.h"

#include <chrono>

#include "adapters/common/crypto.h"
#include "schema/json.h"

namespace omnigate::adapters::app {
namespace {

std::optional<std::string> base64url_decode(std::string s) {
  for (char& c : s) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
  }
  while (s.size() % 4) s += '=';
  return crypto::base64_decode(s);
}

AdapterError bad_identity(const std::string& why) { return AdapterError(401, "bad_identity", why); }

}  // namespace

std::string sign_identity(const std::string& secret, const std::string& user_id, const std::string& name,
                          std::int64_t expires_at_unix) {
  Json::Value claims(Json::objectValue);
  claims["sub"] = user_id;
  if (!name.empty()) claims["name"] = name;
  claims["exp"] = Json::Int64(expires_at_unix);
  std::string body = crypto::base64url_encode(schema::write_json(claims));
  return body + "." + crypto::to_hex(crypto::hmac_sha256(secret, body));
}

Visitor verify_identity(const schema::Channel& channel, const std::string& token) {
  const Json::Value& secrets = channel.secrets;
  std::string secret = secrets.get("identity_secret", "").asString();
  if (secret.empty()) throw bad_identity("this channel has no identity secret");
  auto dot = token.find('.');
  if (dot == std::string::npos) throw bad_identity("identity: expected <claims>.<signature>");
  std::string body = token.substr(0, dot);
  std::string expected = crypto::to_hex(crypto::hmac_sha256(secret, body));
  if (!crypto::constant_time_equal(token.substr(dot + 1), expected)) throw bad_identity("identity: signature does not match");
  auto json = base64url_decode(body);
  Json::Value claims;
  try {
    if (json) claims = schema::parse_json(*json);
  } catch (const schema::InvalidJson&) {
  }
  if (!claims.isObject() || !claims["sub"].isString() || claims["sub"].asString().empty() ||
      claims["sub"].asString().size() > 120 || !claims["exp"].isIntegral())
    throw bad_identity("identity: claims need sub (string) and exp (unix seconds)");
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (claims["exp"].asInt64() < now) throw bad_identity("identity: expired");
  Visitor v;
  v.id = "u:" + claims["sub"].asString();
  v.name = claims.get("name", "").asString();
  return v;
}

Visitor visitor_for(const schema::Channel& channel, const std::string& identity_token, const std::string& anonymous_id) {
  if (!identity_token.empty()) return verify_identity(channel, identity_token);
  const Json::Value& config = channel.config;
  if (config.get("require_identity", false).asBool())
    throw bad_identity("this app channel only accepts signed users (identity)");
  if (anonymous_id.empty() || anonymous_id.size() > 128 || anonymous_id.starts_with("u:"))
    throw AdapterError::bad_request("visitor: required, 1 to 128 characters, not starting with \"u:\"");
  Visitor v;
  v.id = anonymous_id;
  return v;
}

void AppAdapter::configure(schema::Channel& channel) const {
  if (channel.config.isNull()) channel.config = Json::Value(Json::objectValue);
  if (!channel.config.isObject()) throw AdapterError::invalid_config("config: expected an object");
  const Json::Value& config = channel.config;
  if (config.isMember("require_identity") && !config["require_identity"].isBool())
    throw AdapterError::invalid_config("config.require_identity: expected true or false");
  if (config.get("key", "").asString().empty()) channel.config["key"] = "ak_" + crypto::random_token(18);
  if (channel.secrets.isNull()) channel.secrets = Json::Value(Json::objectValue);
  const Json::Value& secrets = channel.secrets;
  if (secrets.get("identity_secret", "").asString().empty()) channel.secrets["identity_secret"] = crypto::random_token(32);
}

Ingest AppAdapter::ingest(const schema::Channel&, const InboundRequest&) const {
  throw AdapterError::method_not_allowed("app channels take messages over /v1/ws/visitor or POST /v1/app/messages");
}

Delivery AppAdapter::deliver(const schema::Channel&, const Outbound&) const {
  // As for the web: stored is delivered (live push, replay, or sync).
  return Delivery{Delivery::Outcome::sent, "", "", {}};
}

}  // namespace omnigate::adapters::app
