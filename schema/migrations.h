#pragma once
// The SQL migrations in schema/migrations/, embedded at build time, ordered by
// version. gateway/db/migrator applies them.
#include <string_view>
#include <vector>

namespace omnigate::schema {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

const std::vector<Migration>& migrations();

}  // namespace omnigate::schema
