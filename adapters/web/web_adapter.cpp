#include "adapters/web/web_adapter.h"

#include "adapters/common/crypto.h"
#include "schema/json.h"

namespace omnigate::adapters::web {

bool origin_allowed(const schema::Channel& channel, const std::string& origin) {
  const Json::Value& config = channel.config;
  const Json::Value& allowed = config["allowed_origins"];
  if (!allowed.isArray() || allowed.empty()) return true;
  for (const auto& o : allowed)
    if (o.asString() == origin) return true;
  return false;
}

void WebAdapter::configure(schema::Channel& channel) const {
  if (channel.config.isNull()) channel.config = Json::Value(Json::objectValue);
  if (!channel.config.isObject()) throw AdapterError::invalid_config("config: expected an object");
  const Json::Value& config = channel.config;
  if (config.isMember("allowed_origins")) {
    const Json::Value& list = config["allowed_origins"];
    if (!list.isArray()) throw AdapterError::invalid_config("config.allowed_origins: expected an array of origins");
    for (const auto& o : list) {
      std::string s = o.isString() ? o.asString() : "";
      bool ok = (s.starts_with("https://") || s.starts_with("http://")) && s.find('/', s.find("//") + 2) == std::string::npos;
      if (!ok)
        throw AdapterError::invalid_config("config.allowed_origins: \"" + s +
                                           "\" is not an origin like https://shop.example or http://localhost:3000");
    }
  }
  if (config.get("key", "").asString().empty()) channel.config["key"] = "wk_" + crypto::random_token(18);
}

Ingest WebAdapter::ingest(const schema::Channel&, const InboundRequest&) const {
  throw AdapterError::method_not_allowed("web channels take visitor messages over the realtime hub (/v1/ws/visitor)");
}

Delivery WebAdapter::deliver(const schema::Channel&, const Outbound&) const {
  // Stored is delivered: the hub has pushed it to live sockets, and replay
  // hands it to a visitor who comes back later.
  return Delivery{Delivery::Outcome::sent, "", "", {}};
}

}  // namespace omnigate::adapters::web
