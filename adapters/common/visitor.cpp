#include "adapters/common/visitor.h"

#include "adapters/common/parts.h"

#include "schema/json.h"

namespace omnigate::adapters {
namespace {

constexpr size_t kMaxClientMsgId = 128;

// A trimmed copy of a visitor-supplied string, at most `max` bytes, never
// splitting a UTF-8 sequence.
std::string bounded(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace

Json::Value visitor_attributes(const Visitor& visitor) {
  Json::Value a(Json::objectValue);
  if (!visitor.page_url.empty()) a["page_url"] = bounded(visitor.page_url, 2048);
  if (!visitor.language.empty()) a["language"] = bounded(visitor.language, 64);
  if (!visitor.user_agent.empty()) a["user_agent"] = bounded(visitor.user_agent, 512);
  if (!visitor.ip.empty()) a["ip"] = visitor.ip;
  return a;
}

schema::Message message_from_send(const schema::Channel& channel, const Visitor& visitor, const Json::Value& frame) {
  schema::Message m;
  m.channel_id = channel.id;
  m.direction = schema::Direction::in;
  m.sender = {schema::SenderType::contact, visitor.id, visitor.name};
  const Json::Value& id = frame["client_msg_id"];
  if (!id.isString() || id.asString().empty() || id.asString().size() > kMaxClientMsgId)
    throw AdapterError::bad_request("client_msg_id: required, a string of 1 to 128 characters");
  m.external_id = "v:" + visitor.id + ":" + id.asString();
  m.parts = parts_from_body(frame);
  Json::Value web = visitor_attributes(visitor);
  // Kept under the channel type: metadata["web"] or metadata["app"].
  if (!web.empty()) m.metadata[std::string(schema::to_string(channel.type))] = web;
  return m;
}
}  // namespace omnigate::adapters
