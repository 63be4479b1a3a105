#pragma once
// Typed fields of JSON request bodies, each refusal an ApiError 400 that
// names the field, so every route validates the same way.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <json/value.h>

#include "gateway/store/team_store.h"
#include "schema/agent.h"

namespace omnigate::gateway::http {

// A string of min..max bytes (UTF-8), required / absent-is-empty.
std::string required_string(const Json::Value& body, const char* field, size_t min, size_t max);
std::optional<std::string> optional_string(const Json::Value& body, const char* field, size_t min, size_t max);
std::optional<bool> optional_bool(const Json::Value& body, const char* field);
// An integer id (1..2^63-1).
std::int64_t required_id(const Json::Value& body, const char* field);
// A list of distinct non-empty strings (order kept, repeats dropped).
std::vector<std::string> string_list(const Json::Value& v, const char* field, size_t max_items, size_t max_length);
// A team named by id (a number) or by name (a string).
store::TeamRef team_ref(const Json::Value& v, const char* field);
std::vector<store::TeamRef> team_refs(const Json::Value& v, const char* field);
// {"<channel type>"|"default": 0..1000}.
std::map<std::string, int> capacity(const Json::Value& v, const char* field);
schema::Role role(const Json::Value& v, const char* field);
schema::Presence presence(const Json::Value& v, const char* field);
// A login name: 1..200 bytes, no spaces or control characters.
std::string login_name(const Json::Value& body, const char* field);
// A new password: 8..1024 bytes.
std::string new_password(const Json::Value& body, const char* field);

}  // namespace omnigate::gateway::http
