#include "workbench/router/queue_order.h"

namespace omnigate::workbench::router {

std::int64_t effective_priority(const Rules& rules, const WaitingConversation& conversation,
                                const ResolvedTarget& target) {
  return std::int64_t{conversation.priority} + (conversation.vip ? rules.vip_boost : 0) + target.priority_boost;
}

}  // namespace omnigate::workbench::router
