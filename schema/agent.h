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
  std::map<std::string, int> capacity;  // channel type -> open conversations
  Presence presence = Presence::offline;
  Timestamp created_at{};

  bool operator==(const Agent&) const = default;
};

}  // namespace omnigate::schema
