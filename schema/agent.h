#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/time.h"

namespace omnigate::schema {

enum class Role { admin, agent };
enum class Presence { online, away, offline };

struct Agent {
  std::int64_t id = 0;
  std::string login;
  std::string name;
  std::string password_hash;  // never serialized to JSON
  Role role = Role::agent;
  std::vector<std::int64_t> team_ids;
  std::vector<std::string> skills;
  // channel type -> open conversations; a "default" key covers the types
  // not listed (without it an unlisted type is 0).
  std::map<std::string, int> capacity;
  Presence presence = Presence::offline;
  bool disabled = false;  // may not log in; kept so history still names them
  Timestamp created_at{};

  bool operator==(const Agent&) const = default;
};

}  // namespace omnigate::schema
