#include "workbench/access/conversation_access.h"

#include <algorithm>

namespace omnigate::workbench {

Viewer viewer_of(const schema::Agent& agent) {
  return Viewer{agent.id, agent.role == schema::Role::admin, agent.team_ids};
}

bool may_see(const Viewer& viewer, const ConversationScope& scope) {
  if (viewer.admin) return true;
  if (scope.assignee == viewer.agent || scope.offered_to == viewer.agent) return true;
  if (!scope.team) return true;
  return std::find(viewer.teams.begin(), viewer.teams.end(), *scope.team) != viewer.teams.end();
}

}  // namespace omnigate::workbench
