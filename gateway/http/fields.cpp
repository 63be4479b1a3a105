#include "gateway/http/fields.h"

#include <algorithm>

#include "gateway/http/api.h"
#include "schema/json.h"

namespace omnigate::gateway::http {
namespace {

[[noreturn]] void bad(const char* field, const std::string& what) {
  throw ApiError(400, "bad_request", std::string(field) + ": " + what);
}

std::string sized(const Json::Value& v, const char* field, size_t min, size_t max) {
  if (!v.isString()) bad(field, "expected a string");
  std::string s = v.asString();
  if (s.size() < min || s.size() > max)
    bad(field, "expected " + std::to_string(min) + " to " + std::to_string(max) + " bytes");
  return s;
}

}  // namespace

std::string required_string(const Json::Value& body, const char* field, size_t min, size_t max) {
  if (!body.isMember(field)) bad(field, "required");
  return sized(body[field], field, min, max);
}

std::optional<std::string> optional_string(const Json::Value& body, const char* field, size_t min, size_t max) {
  if (!body.isMember(field)) return std::nullopt;
  return sized(body[field], field, min, max);
}

std::optional<bool> optional_bool(const Json::Value& body, const char* field) {
  if (!body.isMember(field)) return std::nullopt;
  if (!body[field].isBool()) bad(field, "expected true or false");
  return body[field].asBool();
}

std::int64_t required_id(const Json::Value& body, const char* field) {
  const Json::Value& v = body[field];
  if (!v.isIntegral() || !v.isInt64() || v.asInt64() < 1) bad(field, "expected a positive integer id");
  return v.asInt64();
}

std::vector<std::string> string_list(const Json::Value& v, const char* field, size_t max_items, size_t max_length) {
  if (!v.isArray()) bad(field, "expected an array of strings");
  if (v.size() > max_items) bad(field, "at most " + std::to_string(max_items) + " items");
  std::vector<std::string> out;
  for (const auto& item : v) {
    std::string s = sized(item, field, 1, max_length);
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  }
  return out;
}

store::TeamRef team_ref(const Json::Value& v, const char* field) {
  store::TeamRef ref;
  if (v.isIntegral() && v.isInt64() && v.asInt64() > 0) {
    ref.id = v.asInt64();
  } else if (v.isString() && !v.asString().empty() && v.asString().size() <= 200) {
    ref.name = v.asString();
  } else {
    bad(field, "expected a team id or a team name (1 to 200 bytes)");
  }
  return ref;
}

std::vector<store::TeamRef> team_refs(const Json::Value& v, const char* field) {
  if (!v.isArray()) bad(field, "expected an array of team ids or names");
  if (v.size() > 100) bad(field, "at most 100 teams");
  std::vector<store::TeamRef> out;
  for (const auto& item : v) out.push_back(team_ref(item, field));
  return out;
}

std::map<std::string, int> capacity(const Json::Value& v, const char* field) {
  // The model's own reader checks the keys (channel types or "default"),
  // its messages name the path ("capacity.web: expected an integer").
  Json::Value wrapper(Json::objectValue);
  wrapper["capacity"] = v;
  std::map<std::string, int> out;
  try {
    out = schema::agent_from_json(wrapper).capacity;
  } catch (const schema::InvalidJson& e) {
    throw ApiError(400, "bad_request", e.what());
  }
  for (const auto& [type, n] : out)
    if (n < 0 || n > 1000) bad(field, type + ": expected 0..1000");
  return out;
}

schema::Role role(const Json::Value& v, const char* field) {
  if (!v.isString()) bad(field, "expected \"admin\" or \"agent\"");
  try {
    return schema::role_from_string(v.asString());
  } catch (const schema::InvalidJson&) {
    bad(field, "expected \"admin\" or \"agent\"");
  }
}

schema::Presence presence(const Json::Value& v, const char* field) {
  if (!v.isString()) bad(field, "expected \"online\", \"away\" or \"offline\"");
  try {
    return schema::presence_from_string(v.asString());
  } catch (const schema::InvalidJson&) {
    bad(field, "expected \"online\", \"away\" or \"offline\"");
  }
}

std::string login_name(const Json::Value& body, const char* field) {
  std::string login = required_string(body, field, 1, 200);
  for (unsigned char ch : login)
    if (ch <= ' ' || ch == 0x7f) bad(field, "no spaces or control characters");
  return login;
}

std::string new_password(const Json::Value& body, const char* field) {
  return required_string(body, field, 8, 1024);
}

}  // namespace omnigate::gateway::http
