#pragma once
// Canned responses: global ones, a team's, and an agent's own, found by
// prefix as an agent types ("发" suggests the shipping replies): shortcode
// prefix first, then title prefix, then a word of the title, then a word of
// the body. Words start after spaces and punctuation, and at every CJK
// character (see og_search_terms in migration 009).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <json/value.h>

#include "gateway/db/pool.h"
#include "schema/time.h"

namespace omnigate::store {

enum class CannedScope { personal, team, global };

struct CannedResponse {
  std::int64_t id = 0;
  std::string shortcode;
  std::string title;
  std::string body;
  std::optional<std::int64_t> team_id;   // scope team
  std::optional<std::int64_t> owner_id;  // scope personal
  std::optional<std::int64_t> created_by;
  schema::Timestamp created_at{};
  schema::Timestamp updated_at{};

  CannedScope scope() const {
    return owner_id ? CannedScope::personal : team_id ? CannedScope::team : CannedScope::global;
  }
};

// Who is looking: their own, their teams' and the global responses are
// visible; admins also see every team's.
struct CannedViewer {
  std::int64_t agent_id = 0;
  std::vector<std::int64_t> team_ids;
  bool admin = false;
};

struct CannedEdit {
  std::optional<std::string> shortcode;
  std::optional<std::string> title;
  std::optional<std::string> body;
};

class CannedStore {
 public:
  explicit CannedStore(db::ConnectionPool& pool) : pool_(pool) {}

  // Best matches first; every visible response (by shortcode) when prefix is empty.
  std::vector<CannedResponse> search(const CannedViewer& viewer, const std::string& prefix, int limit);
  std::optional<CannedResponse> get(std::int64_t id);
  // Team and global changes are audited as `actor`'s. StoreError conflict
  // when the shortcode is taken in that scope, invalid for an unknown team.
  CannedResponse create(const CannedResponse& draft, std::int64_t actor);
  CannedResponse update(std::int64_t id, const CannedEdit& edit, std::int64_t actor);
  void remove(std::int64_t id, std::int64_t actor);

 private:
  db::ConnectionPool& pool_;
};

std::string_view to_string(CannedScope scope);
Json::Value to_json(const CannedResponse& c);

}  // namespace omnigate::store
