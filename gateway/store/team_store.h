#pragma once
// Teams: named groups of agents that conversations are routed to, each with
// an optional fallback team that takes its overflow.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <json/value.h>

#include "gateway/db/pool.h"
#include "schema/time.h"

namespace omnigate::store {

struct Team {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::int64_t> fallback_team_id;
  std::vector<std::int64_t> member_ids;  // enabled agents only
  schema::Timestamp created_at{};
};

// A team as a request names it: by id, or by name.
struct TeamRef {
  std::optional<std::int64_t> id;
  std::string name;
};

struct TeamChanges {
  std::optional<std::string> name;
  // Set: change the fallback; the inner value empty clears it.
  std::optional<std::optional<TeamRef>> fallback;
};

class TeamStore {
 public:
  explicit TeamStore(db::ConnectionPool& pool) : pool_(pool) {}

  std::vector<Team> list();
  std::optional<Team> get(std::int64_t id);
  // Each writes its audit entry in the same transaction. StoreError:
  // conflict for a taken name or a fallback chain that would loop, invalid
  // for an unknown fallback, not_found for an unknown id.
  Team create(const std::string& name, const std::optional<TeamRef>& fallback, std::int64_t actor);
  Team update(std::int64_t id, const TeamChanges& changes, std::int64_t actor);
  // Refused (conflict) while conversations that are not resolved belong to
  // the team; the team's canned responses go with it.
  void remove(std::int64_t id, std::int64_t actor);

  // The ids of `refs`, inside the caller's transaction, without repeats.
  // Names not found are created when create_missing (audited as `actor`'s
  // "team.created"); otherwise, like an unknown id, StoreError invalid.
  static std::vector<std::int64_t> resolve(db::PgConnection& c, const std::vector<TeamRef>& refs,
                                           std::optional<std::int64_t> actor, bool create_missing);

 private:
  db::ConnectionPool& pool_;
};

Json::Value to_json(const Team& t);

}  // namespace omnigate::store
