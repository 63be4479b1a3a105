#pragma once
#include <json/value.h>

#include "schema/message.h"

namespace omnigate::gateway::realtime {

// A message as a visitor or app client sees it (WebSocket frames and the
// app's HTTP sync): id, seq, direction, sender type and name, parts,
// created_at, and on their own messages the client_msg_id they sent. Never
// metadata (their IP, user agent), internal ids or delivery bookkeeping.
Json::Value visitor_message(const schema::Message& m);

}  // namespace omnigate::gateway::realtime
