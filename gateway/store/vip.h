#pragma once
// Who counts as a VIP, in one place: the router boosts their conversations
// (rules' vip_boost, the "vip" match attribute) and the inbox marks them, so
// both must read the contact the same way.
#include <set>
#include <string>

#include <json/value.h>

namespace omnigate::store {

// True when the contact's "vip" attribute is set (true, a non-zero number, a
// tier name such as "gold"; not "", "false", "0" or "no"), or the contact or
// the conversation is tagged "vip". `tags` is the union of both tag lists.
bool is_vip(const Json::Value& contact_attributes, const std::set<std::string>& tags);

}  // namespace omnigate::store
