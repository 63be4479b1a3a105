#pragma once
// The targets one conversation goes through, in order: the matching rule's
// targets (or the default rule's, or for a conversation a person put in a
// team, that team), then overflow: when the last target has a team with a
// fallback team and a timeout, the conversation moves on to the fallback team
// with the same skills, strategy and timeout, and on along the fallback chain
// (each team once).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "workbench/router/rules.h"
#include "workbench/router/types.h"

namespace omnigate::workbench::router {

class TeamDirectory {
 public:
  TeamDirectory() = default;
  explicit TeamDirectory(const std::vector<Team>& teams);

  // Nullopt for a team this directory does not know.
  std::optional<std::int64_t> resolve(const TeamRef& ref) const;
  std::optional<std::int64_t> fallback_of(std::int64_t team) const;

 private:
  std::unordered_map<std::int64_t, std::optional<std::int64_t>> fallback_;
  std::unordered_map<std::string, std::int64_t> by_name_;
};

// One step of the path with everything inherited filled in.
struct ResolvedTarget {
  int index = 0;
  bool has_team = false;             // false: any agent
  std::optional<std::int64_t> team;  // empty with has_team: a team nobody knows, so nobody serves it
  const SkillExpression* skills = nullptr;
  Strategy strategy = Strategy::least_busy;
  int priority_boost = 0;            // rule + target
  std::optional<int> timeout_seconds;
  bool skip_if_no_agents = false;
};

class TargetPath {
 public:
  TargetPath(const Rules& rules, const TeamDirectory& teams, const WaitingConversation& conversation);

  const Rule& rule() const { return *rule_; }
  // Nullopt past the end of the path.
  std::optional<ResolvedTarget> at(int index) const;
  int last_index() const { return static_cast<int>(base_size_ + overflow_teams_.size()) - 1; }

 private:
  ResolvedTarget base_target(std::size_t i) const;

  const Rules& rules_;
  const Rule* rule_ = nullptr;
  std::optional<std::int64_t> pinned_team_;
  std::size_t base_size_ = 0;
  std::vector<std::optional<std::int64_t>> resolved_teams_;  // per base target
  std::vector<std::int64_t> overflow_teams_;
};

// Where a conversation stands now: its stored target, moved on by every
// timeout that has run out since (each next target's clock starts when the
// previous one ran out) and past targets with skip_if_no_agents that
// `unstaffed` reports empty (their successor's clock starts now).
struct TargetPosition {
  ResolvedTarget target;
  TimePoint since{};
  std::optional<TimePoint> moves_at;  // when this target times out, if there is a next one
};

TargetPosition current_target(const TargetPath& path, const WaitingConversation& conversation, TimePoint now,
                              const std::function<bool(const ResolvedTarget&)>& unstaffed);

}  // namespace omnigate::workbench::router
