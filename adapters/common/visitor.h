#pragma once
// What web and app channels share: a visitor (an anonymous web visitor or an
// app user) and their `send` frame turned into the model. The realtime hub
// and the app's HTTP fallback both use it, so a message is the same whichever
// way it arrives.
#include <string>

#include <json/value.h>

#include "adapters/adapter.h"

namespace omnigate::adapters {

struct Visitor {
  std::string id;
  std::string name;
  std::string page_url;
  std::string language;
  std::string user_agent;
  std::string ip;
};

// What we know of a visitor as contact attributes (and message metadata):
// page_url, language, user_agent, ip; bounded in size. {} when nothing.
Json::Value visitor_attributes(const Visitor& visitor);

// {"client_msg_id","text"|"parts"} → an inbound message. client_msg_id makes
// retries idempotent per visitor (external_id "v:<visitor>:<client_msg_id>").
// Throws AdapterError (400) for a malformed frame.
schema::Message message_from_send(const schema::Channel& channel, const Visitor& visitor, const Json::Value& frame);

}  // namespace omnigate::adapters
