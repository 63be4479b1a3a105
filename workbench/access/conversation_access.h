#pragma once
// Who may see a conversation: the one rule behind the conversation API, its
// list filters (the same rule in SQL, gateway/store/conversation_store.cpp)
// and the realtime events agents receive.
//
//   admins see everything; an agent sees a conversation that is assigned (or
//   offered) to them, or that belongs to one of their teams, or that belongs
//   to no team at all (the shared queue of a desk that does not use teams).
//
// A conversation whose assignee or team changed is re-checked on every read:
// an agent who transferred a conversation to another team loses it at once.
#include <cstdint>
#include <optional>
#include <vector>

#include "schema/agent.h"

namespace omnigate::workbench {

struct Viewer {
  std::int64_t agent = 0;
  bool admin = false;
  std::vector<std::int64_t> teams;
};

// What of a conversation decides who may see it.
struct ConversationScope {
  std::optional<std::int64_t> team;
  std::optional<std::int64_t> assignee;
  std::optional<std::int64_t> offered_to;
};

Viewer viewer_of(const schema::Agent& agent);
bool may_see(const Viewer& viewer, const ConversationScope& scope);

}  // namespace omnigate::workbench
