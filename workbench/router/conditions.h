#pragma once
// The `match` of a rule: an object of attribute -> condition, all of which
// must hold. The language is deliberately small:
//   "language": "zh"                       equals
//   "channel_type": ["wechat_mp", "wecom"] in the list
//   "region": {"in": [...]}, {"not_in": [...]}, {"eq": "x"}, {"exists": true|false}
// Values compare as text (integers in decimal, booleans as true/false). An
// attribute the conversation lacks fails eq/in and passes not_in. For "tags"
// the same forms mean: has that tag, has any of them, has none of them, has
// any tag at all. Alternatives ("this or that") are separate rules.
#include <string>
#include <vector>

#include <json/value.h>

#include "workbench/router/types.h"

namespace omnigate::workbench::router {

struct Condition {
  enum class Op { equals, in, not_in, exists };

  std::string attribute;
  Op op = Op::equals;
  std::vector<Json::Value> literals;  // as the admin wrote them (kept for to_json)
  std::vector<std::string> values;    // their text forms, compared against the attribute
  bool exists = true;                 // for Op::exists

  bool holds(const WaitingConversation& conversation) const;
  bool operator==(const Condition&) const = default;
};

struct Match {
  std::vector<Condition> conditions;  // all must hold; none = matches everything

  bool matches(const WaitingConversation& conversation) const;
  // Throws RulesError naming `path` (the match object's JSON path).
  static Match parse(const Json::Value& json, const std::string& path);
  Json::Value to_json() const;
  bool operator==(const Match&) const = default;
};

}  // namespace omnigate::workbench::router
