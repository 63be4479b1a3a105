#include "gateway/realtime/visitor_view.h"

#include "schema/json.h"

namespace omnigate::gateway::realtime {

// What a visitor may see of a message: no internal ids, metadata (their own
// IP and user agent among it) or delivery bookkeeping. Their own messages
// carry the client_msg_id they were sent with, so every tab can match them.
Json::Value visitor_message(const schema::Message& m) {
  Json::Value full = schema::to_json(m);
  Json::Value v(Json::objectValue);
  for (const char* key : {"id", "seq", "direction", "parts", "created_at"})
    if (full.isMember(key)) v[key] = full[key];
  v["sender"]["type"] = full["sender"]["type"];
  if (m.sender.type != schema::SenderType::contact && !m.sender.name.empty()) v["sender"]["name"] = m.sender.name;
  // Visitor sends are stored with external_id "v:<visitor>:<client_msg_id>"
  // (visitor ids may themselves hold ':', as app users' "u:42" do).
  const std::string prefix = "v:" + m.sender.id + ":";
  if (m.sender.type == schema::SenderType::contact && m.external_id.starts_with(prefix))
    v["client_msg_id"] = m.external_id.substr(prefix.size());
  return v;
}

}  // namespace omnigate::gateway::realtime
