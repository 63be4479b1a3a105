#pragma once
// The attributes a rule can look at: a few that every conversation has
// (channel_type, vip, priority) and the contact's attributes. Tags are a set,
// matched with their own operators (see conditions.h), and cannot be read as
// one text value.
#include <optional>
#include <string>
#include <string_view>

#include "workbench/router/types.h"

namespace omnigate::workbench::router {

inline constexpr std::string_view kTagsAttribute = "tags";

// The built-in names win over a contact attribute of the same name.
bool is_builtin_attribute(std::string_view name);
std::optional<std::string> attribute_of(const WaitingConversation& conversation, std::string_view name);

}  // namespace omnigate::workbench::router
