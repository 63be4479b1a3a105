#pragma once
// Every conversation route checks the caller may see the conversation
// (workbench/access/conversation_access.h) the same way: one that exists but
// is not theirs to see answers 404, exactly like one that does not exist, so
// ids cannot be probed.
#include <cstdint>

#include "gateway/http/api.h"
#include "gateway/store/conversation_view.h"

namespace omnigate::gateway::http {

store::ConversationView visible_conversation(Services& s, const schema::Agent& user, std::int64_t id);

}  // namespace omnigate::gateway::http
