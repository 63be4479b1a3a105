#include "gateway/http/conversation_access.h"

namespace omnigate::gateway::http {

store::ConversationView visible_conversation(Services& s, const schema::Agent& user, std::int64_t id) {
  auto view = s.conversations.view(id);
  if (!view || !workbench::may_see(workbench::viewer_of(user), view->scope()))
    throw ApiError(404, "not_found", "no such conversation");
  return *view;
}

}  // namespace omnigate::gateway::http
