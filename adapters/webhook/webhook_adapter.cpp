#include "adapters/webhook/webhook_adapter.h"

#include <cmath>

#include "adapters/common/crypto.h"
#include "adapters/common/http_client.h"
#include "adapters/common/connection_check.h"
#include "adapters/common/parts.h"
#include "schema/json.h"

namespace omnigate::adapters::webhook {
namespace {

constexpr size_t kMaxExternalIdLength = 255;

std::optional<schema::Timestamp> read_timestamp(const Json::Value& v) {
  if (v.isNull()) return std::nullopt;
  if (v.isNumeric()) {
    double s = v.asDouble();
    if (!std::isfinite(s) || s < 0 || s > 32503680000.0)
      throw AdapterError::bad_request("timestamp: out of range");
    return schema::Timestamp(std::chrono::microseconds(static_cast<std::int64_t>(s * 1e6)));
  }
  if (v.isString()) {
    if (auto t = schema::parse_timestamp(v.asString())) return t;
    throw AdapterError::bad_request("timestamp: not an RFC 3339 time");
  }
  throw AdapterError::bad_request("timestamp: expected unix seconds or an RFC 3339 string");
}

schema::Message read_message(const schema::Channel& channel, const Json::Value& j, const std::string& path,
                             std::chrono::seconds tolerance) {
  if (!j.isObject()) throw AdapterError::bad_request(path + ": expected an object");
  schema::Message m;
  m.direction = schema::Direction::in;
  m.channel_id = channel.id;

  const Json::Value& contact = j["contact"];
  if (!contact.isObject() || !contact["id"].isString() || contact["id"].asString().empty())
    throw AdapterError::bad_request(path + "contact.id: required, a non-empty string");
  m.sender.type = schema::SenderType::contact;
  m.sender.id = contact["id"].asString();
  if (contact.isMember("name")) {
    if (!contact["name"].isString()) throw AdapterError::bad_request(path + "contact.name: expected a string");
    m.sender.name = contact["name"].asString();
  }

  if (j.isMember("external_id")) {
    if (!j["external_id"].isString() || j["external_id"].asString().empty() ||
        j["external_id"].asString().size() > kMaxExternalIdLength)
      throw AdapterError::bad_request(path + "external_id: expected a string of 1 to 255 characters");
    m.external_id = j["external_id"].asString();
  }

  m.parts = parts_from_body(j, path);

  m.channel_timestamp = read_timestamp(j["timestamp"]);
  if (m.channel_timestamp) {
    auto skew = schema::now() - *m.channel_timestamp;
    if (skew > tolerance || -skew > tolerance)
      throw AdapterError::bad_signature(path + "timestamp: outside the allowed window (replayed or clock skew)");
  }
  if (j.isMember("metadata")) {
    if (!j["metadata"].isObject()) throw AdapterError::bad_request(path + "metadata: expected an object");
    if (!j["metadata"].empty()) m.metadata = j["metadata"];
  }
  return m;
}

}  // namespace

void WebhookAdapter::configure(schema::Channel& channel) const {
  if (channel.config.isNull()) channel.config = Json::Value(Json::objectValue);
  if (!channel.config.isObject()) throw AdapterError::invalid_config("config: expected an object");
  // Read through a const view: operator[] on a mutable Json::Value would add
  // the key as null.
  const Json::Value& config = channel.config;
  const Json::Value& tol = config["timestamp_tolerance_s"];
  if (!tol.isNull() && (!tol.isInt() || tol.asInt() < 1 || tol.asInt() > 86400))
    throw AdapterError::invalid_config("config.timestamp_tolerance_s: expected whole seconds from 1 to 86400");
  const Json::Value& url = config["outbound_url"];
  if (!url.isNull() && (!url.isString() || !(url.asString().starts_with("http://") || url.asString().starts_with("https://"))))
    throw AdapterError::invalid_config("config.outbound_url: expected an http:// or https:// URL");
  if (channel.secrets.isNull()) channel.secrets = Json::Value(Json::objectValue);
  if (channel.secrets.get("secret", "").asString().empty()) channel.secrets["secret"] = crypto::random_token(32);
}

Ingest WebhookAdapter::ingest(const schema::Channel& channel, const InboundRequest& req) const {
  if (req.method != "POST") throw AdapterError::method_not_allowed("webhook channels take POST only");
  verify_body_signature(req, channel.secrets.get("secret", "").asString());

  Json::Value body;
  try {
    body = schema::parse_json(req.body);
  } catch (const schema::InvalidJson& e) {
    throw AdapterError::bad_request(e.what());
  }
  if (!body.isObject()) throw AdapterError::bad_request("body: expected a JSON object");
  std::chrono::seconds tolerance(
      channel.config.get("timestamp_tolerance_s", kDefaultTimestampToleranceSeconds).asInt());

  Ingest out;
  out.answer_with_stored_messages = true;
  if (body.isMember("messages")) {
    const Json::Value& list = body["messages"];
    if (!list.isArray() || list.empty() || list.size() > kMaxMessagesPerRequest)
      throw AdapterError::bad_request("messages: expected an array of 1 to 100 messages");
    for (Json::ArrayIndex i = 0; i < list.size(); ++i)
      out.messages.push_back(read_message(channel, list[i], "messages[" + std::to_string(i) + "].", tolerance));
  } else {
    out.messages.push_back(read_message(channel, body, "", tolerance));
  }
  return out;
}

Delivery WebhookAdapter::deliver(const schema::Channel& channel, const Outbound& outbound) const {
  Delivery d;
  std::string url = channel.config.get("outbound_url", "").asString();
  if (url.empty()) {
    d.outcome = Delivery::Outcome::failed;
    d.error = "channel has no outbound_url configured";
    return d;
  }
  Json::Value payload(Json::objectValue);
  payload["type"] = "message.created";
  payload["message"] = schema::to_json(outbound.message);
  payload["recipient"]["id"] = outbound.recipient_id;
  payload["recipient"]["name"] = outbound.recipient_name;
  payload["attempt"] = outbound.attempt;
  std::string body = schema::write_json(payload);
  HttpResponse r = http_post(url, body,
                             {{"Content-Type", "application/json"},
                              {kSignatureHeader, sign_body(channel.secrets.get("secret", "").asString(), body)}},
                             std::chrono::seconds(10));
  if (!r.transport_error.empty()) {
    d.outcome = Delivery::Outcome::retry;
    d.error = r.transport_error;
  } else if (r.status >= 200 && r.status < 300) {
    d.outcome = Delivery::Outcome::sent;
  } else if (r.status == 408 || r.status == 429 || r.status >= 500) {
    d.outcome = Delivery::Outcome::retry;
    d.error = "receiver answered HTTP " + std::to_string(r.status);
  } else {
    d.outcome = Delivery::Outcome::failed;
    d.error = "receiver refused the message: HTTP " + std::to_string(r.status);
  }
  return d;
}

std::vector<ConnectionCheck> WebhookAdapter::test_connection(const schema::Channel& channel) const {
  std::string url = channel.config.get("outbound_url", "").asString();
  if (url.empty()) return {};
  return {run_check("outbound_url", [&]() -> CheckOutcome {
    Json::Value ping(Json::objectValue);
    ping["type"] = "ping";
    ping["channel_id"] = Json::Int64(channel.id);
    std::string body = schema::write_json(ping);
    HttpResponse r = http_post(url, body,
                               {{"Content-Type", "application/json"},
                                {kSignatureHeader, sign_body(channel.secrets.get("secret", "").asString(), body)}},
                               std::chrono::seconds(10));
    if (!r.transport_error.empty()) return {false, url + " unreachable: " + r.transport_error};
    if (r.status < 200 || r.status >= 300) return {false, url + " answered the ping with HTTP " + std::to_string(r.status)};
    return {true, url + " answered the signed ping with HTTP " + std::to_string(r.status)};
  })};
}

}  // namespace omnigate::adapters::webhook
