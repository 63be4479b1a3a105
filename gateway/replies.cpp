#include "gateway/replies.h"

#include "adapters/common/parts.h"

namespace omnigate::gateway {

schema::Message agent_reply(const schema::Agent& agent, const schema::Conversation& conversation, const Json::Value& body) {
  schema::Message m;
  m.conversation_id = conversation.id;
  m.channel_id = conversation.channel_id;
  m.sender = {schema::SenderType::agent, std::to_string(agent.id), agent.name.empty() ? agent.login : agent.name};
  bool is_private = body.get("private", false).asBool();
  m.direction = is_private ? schema::Direction::note : schema::Direction::out;
  // A note is never sent; a reply is queued for delivery in the same commit.
  m.delivery_status = is_private ? schema::DeliveryStatus::none : schema::DeliveryStatus::pending;
  m.parts = adapters::parts_from_body(body);
  if (body.isMember("client_msg_id")) {
    const Json::Value& id = body["client_msg_id"];
    if (!id.isString() || id.asString().empty() || id.asString().size() > 128)
      throw adapters::AdapterError::bad_request("client_msg_id: expected a string of 1 to 128 characters");
    // Scoped to the agent, so two agents' ids never collide.
    m.external_id = "agent:" + std::to_string(agent.id) + ":" + id.asString();
  }
  return m;
}

}  // namespace omnigate::gateway
