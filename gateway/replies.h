#pragma once
// An agent's reply or private note, built the same way whether it came over
// HTTP (POST /v1/conversations/{id}/messages) or the agent socket.
// Body: {"text"|"parts", "client_msg_id"?, "private"?}. Throws
// adapters::AdapterError (400) for bad input.
#include <json/value.h>

#include "schema/agent.h"
#include "schema/conversation.h"
#include "schema/message.h"

namespace omnigate::gateway {

schema::Message agent_reply(const schema::Agent& agent, const schema::Conversation& conversation, const Json::Value& body);

}  // namespace omnigate::gateway
