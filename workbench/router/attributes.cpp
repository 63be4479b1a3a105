#include "workbench/router/attributes.h"

namespace omnigate::workbench::router {

bool is_builtin_attribute(std::string_view name) {
  return name == "channel_type" || name == "vip" || name == "priority";
}

std::optional<std::string> attribute_of(const WaitingConversation& conversation, std::string_view name) {
  if (name == "channel_type") return conversation.channel_type;
  if (name == "vip") return conversation.vip ? "true" : "false";
  if (name == "priority") return std::to_string(conversation.priority);
  if (name == kTagsAttribute) return std::nullopt;
  auto it = conversation.attributes.find(std::string(name));
  if (it == conversation.attributes.end()) return std::nullopt;
  return it->second;
}

}  // namespace omnigate::workbench::router
