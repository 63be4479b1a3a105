#include "workbench/router/conditions.h"

#include <algorithm>

#include "schema/channel.h"
#include "workbench/router/attributes.h"
#include "workbench/router/json_reader.h"
#include "workbench/router/rules_error.h"

namespace omnigate::workbench::router {

namespace {

using json_reader::element_path;
using json_reader::member_path;
using json_reader::read_scalar_text;

bool contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

bool holds_for_tags(const Condition& c, const std::set<std::string>& tags) {
  switch (c.op) {
    case Condition::Op::equals:
    case Condition::Op::in:
      return std::any_of(c.values.begin(), c.values.end(), [&](const std::string& v) { return tags.count(v) > 0; });
    case Condition::Op::not_in:
      return std::none_of(c.values.begin(), c.values.end(), [&](const std::string& v) { return tags.count(v) > 0; });
    case Condition::Op::exists:
      return tags.empty() != c.exists;
  }
  return false;
}

// Channel types are checked against the known names (a typo would otherwise
// match nothing, silently) and compared by their canonical wire name.
std::string value_text(const std::string& attribute, const Json::Value& literal, const std::string& path) {
  std::string text = read_scalar_text(literal, path);
  if (attribute == "channel_type") {
    auto type = schema::channel_type_from_string(text);
    if (!type) throw RulesError(path, "unknown channel type \"" + text + "\"");
    return std::string(schema::to_string(*type));
  }
  return text;
}

void add_list(Condition& c, const Json::Value& list, const std::string& path) {
  if (!list.isArray() || list.empty()) throw RulesError(path, "must be a non-empty array");
  for (unsigned i = 0; i < list.size(); ++i) {
    c.values.push_back(value_text(c.attribute, list[i], element_path(path, i)));
    c.literals.push_back(list[i]);
  }
}

Condition parse_condition(const std::string& attribute, const Json::Value& spec, const std::string& path) {
  Condition c;
  c.attribute = attribute;
  if (spec.isArray()) {
    c.op = Condition::Op::in;
    add_list(c, spec, path);
    return c;
  }
  if (!spec.isObject()) {
    c.op = Condition::Op::equals;
    c.values.push_back(value_text(attribute, spec, path));
    c.literals.push_back(spec);
    return c;
  }
  if (spec.size() != 1) throw RulesError(path, "must have exactly one of eq, in, not_in, exists");
  const std::string op = spec.getMemberNames().front();
  const std::string op_path = member_path(path, op);
  const Json::Value& operand = spec[op];
  if (op == "eq") {
    c.op = Condition::Op::equals;
    c.values.push_back(value_text(attribute, operand, op_path));
    c.literals.push_back(operand);
  } else if (op == "in" || op == "not_in") {
    c.op = op == "in" ? Condition::Op::in : Condition::Op::not_in;
    add_list(c, operand, op_path);
  } else if (op == "exists") {
    c.op = Condition::Op::exists;
    c.exists = json_reader::read_bool(operand, op_path);
  } else {
    throw RulesError(op_path, "unknown operator (use eq, in, not_in or exists)");
  }
  return c;
}

}  // namespace

bool Condition::holds(const WaitingConversation& conversation) const {
  if (attribute == kTagsAttribute) return holds_for_tags(*this, conversation.tags);
  const std::optional<std::string> value = attribute_of(conversation, attribute);
  switch (op) {
    case Op::equals:
    case Op::in:
      return value && contains(values, *value);
    case Op::not_in:
      return !value || !contains(values, *value);
    case Op::exists:
      return value.has_value() == exists;
  }
  return false;
}

bool Match::matches(const WaitingConversation& conversation) const {
  return std::all_of(conditions.begin(), conditions.end(),
                     [&](const Condition& c) { return c.holds(conversation); });
}

Match Match::parse(const Json::Value& json, const std::string& path) {
  if (!json.isObject()) throw RulesError(path, "must be an object of attribute conditions");
  Match match;
  for (const std::string& attribute : json.getMemberNames()) {
    if (attribute.empty()) throw RulesError(path, "attribute names must not be empty");
    match.conditions.push_back(parse_condition(attribute, json[attribute], member_path(path, attribute)));
  }
  return match;
}

Json::Value Match::to_json() const {
  Json::Value out(Json::objectValue);
  for (const Condition& c : conditions) {
    Json::Value list(Json::arrayValue);
    for (const Json::Value& literal : c.literals) list.append(literal);
    Json::Value& slot = out[c.attribute];
    switch (c.op) {
      case Condition::Op::equals:
        slot = c.literals.front();
        break;
      case Condition::Op::in:
        slot = list;
        break;
      case Condition::Op::not_in:
        slot["not_in"] = list;
        break;
      case Condition::Op::exists:
        slot["exists"] = c.exists;
        break;
    }
  }
  return out;
}

}  // namespace omnigate::workbench::router
