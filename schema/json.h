#pragma once
// The JSON wire forms of the model (see schema/*.schema.json). to_json and the
// matching *_from_json are exact inverses for every value the model can hold;
// from_json throws schema::InvalidJson with a path-qualified message for input
// that does not match the schema.
#include <stdexcept>
#include <string>
#include <string_view>

#include <json/value.h>

#include "schema/agent.h"
#include "schema/channel.h"
#include "schema/contact.h"
#include "schema/conversation.h"
#include "schema/message.h"

namespace omnigate::schema {

struct InvalidJson : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string_view to_string(Direction v);
std::string_view to_string(SenderType v);
std::string_view to_string(PartType v);
std::string_view to_string(DeliveryStatus v);
std::string_view to_string(ConversationStatus v);
std::string_view to_string(Role v);
std::string_view to_string(Presence v);
// Each throws InvalidJson naming the bad value.
Direction direction_from_string(std::string_view s);
SenderType sender_type_from_string(std::string_view s);
PartType part_type_from_string(std::string_view s);
DeliveryStatus delivery_status_from_string(std::string_view s);
ConversationStatus conversation_status_from_string(std::string_view s);
Role role_from_string(std::string_view s);
Presence presence_from_string(std::string_view s);

Json::Value to_json(const Part& v);
Json::Value to_json(const Message& v);
Json::Value to_json(const Conversation& v);
Json::Value to_json(const Identity& v);
Json::Value to_json(const Contact& v);
// Channel secrets are included only when include_secrets is true (admins).
Json::Value to_json(const Channel& v, bool include_secrets);
Json::Value to_json(const Agent& v);  // never includes the password hash

Part part_from_json(const Json::Value& j);
Message message_from_json(const Json::Value& j);
Conversation conversation_from_json(const Json::Value& j);
Identity identity_from_json(const Json::Value& j);
Contact contact_from_json(const Json::Value& j);
Channel channel_from_json(const Json::Value& j);
Agent agent_from_json(const Json::Value& j);

// Compact one-line serialization and strict parsing (rejects trailing garbage,
// duplicate keys are last-wins as in jsoncpp). parse_json throws InvalidJson.
std::string write_json(const Json::Value& v);
Json::Value parse_json(std::string_view text);

}  // namespace omnigate::schema
