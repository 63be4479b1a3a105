#include "workbench/router/target_path.h"

#include <algorithm>

namespace omnigate::workbench::router {

namespace {

// Conversations a person put in a team use this rule's single target, with
// the team filled in; everything else comes from the top level.
const Rule& team_rule() {
  static const Rule rule = [] {
    Rule r;
    r.targets = {Target{}};
    return r;
  }();
  return rule;
}

// Parsed rules always have targets; a Rule built in code without any is read
// as the default single target (every agent) rather than a path to nowhere.
const std::vector<Target>& targets_of(const Rule& rule) {
  return rule.targets.empty() ? team_rule().targets : rule.targets;
}

}  // namespace

TeamDirectory::TeamDirectory(const std::vector<Team>& teams) {
  for (const Team& t : teams) {
    fallback_[t.id] = t.fallback_team;
    by_name_[t.name] = t.id;
  }
}

std::optional<std::int64_t> TeamDirectory::resolve(const TeamRef& ref) const {
  if (ref.id) return fallback_.count(*ref.id) > 0 ? ref.id : std::nullopt;
  auto it = by_name_.find(ref.name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::int64_t> TeamDirectory::fallback_of(std::int64_t team) const {
  auto it = fallback_.find(team);
  return it == fallback_.end() ? std::nullopt : it->second;
}

TargetPath::TargetPath(const Rules& rules, const TeamDirectory& teams, const WaitingConversation& conversation)
    : rules_(rules) {
  if (conversation.team) {
    rule_ = &team_rule();
    pinned_team_ = conversation.team;
  } else {
    auto it = std::find_if(rules.rules.begin(), rules.rules.end(),
                           [&](const Rule& r) { return r.match.matches(conversation); });
    rule_ = it == rules.rules.end() ? &rules.default_rule : &*it;
  }
  base_size_ = targets_of(*rule_).size();
  for (const Target& t : targets_of(*rule_)) {
    resolved_teams_.push_back(t.team ? teams.resolve(*t.team) : std::nullopt);
  }

  const ResolvedTarget last = base_target(base_size_ - 1);
  if (!last.timeout_seconds || !last.team) return;
  std::vector<std::int64_t> visited{*last.team};
  for (std::optional<std::int64_t> next = teams.fallback_of(*last.team); next; next = teams.fallback_of(*next)) {
    if (std::find(visited.begin(), visited.end(), *next) != visited.end()) break;  // a cycle
    visited.push_back(*next);
    overflow_teams_.push_back(*next);
  }
}

ResolvedTarget TargetPath::base_target(std::size_t i) const {
  const Target& t = targets_of(*rule_)[i];
  ResolvedTarget r;
  r.index = static_cast<int>(i);
  r.skills = &t.skills;
  r.strategy = rules_.strategy_for(*rule_, t);
  r.priority_boost = rule_->priority_boost + t.priority_boost;
  r.skip_if_no_agents = t.skip_if_no_agents;
  if (pinned_team_) {
    r.has_team = true;
    r.team = pinned_team_;
    r.timeout_seconds = rules_.team_overflow_seconds;
  } else {
    r.timeout_seconds = t.timeout_seconds;
    if (t.team) {
      r.has_team = true;
      r.team = resolved_teams_.at(i);
    }
  }
  return r;
}

std::optional<ResolvedTarget> TargetPath::at(int index) const {
  if (index < 0) return std::nullopt;
  const auto i = static_cast<std::size_t>(index);
  if (i < base_size_) return base_target(i);
  if (i - base_size_ >= overflow_teams_.size()) return std::nullopt;
  ResolvedTarget r = base_target(base_size_ - 1);
  r.index = index;
  r.team = overflow_teams_[i - base_size_];
  return r;
}

TargetPosition current_target(const TargetPath& path, const WaitingConversation& conversation, TimePoint now,
                              const std::function<bool(const ResolvedTarget&)>& unstaffed) {
  int index = std::clamp(conversation.target_index, 0, path.last_index());
  TimePoint since = std::max(conversation.target_since, conversation.queued_at);
  ResolvedTarget target = *path.at(index);
  // Every step moves forward along a finite path, so this ends.
  while (index < path.last_index()) {
    if (target.timeout_seconds && now >= since + Seconds(*target.timeout_seconds)) {
      since += Seconds(*target.timeout_seconds);
    } else if (target.skip_if_no_agents && unstaffed && unstaffed(target)) {
      since = now;
    } else {
      break;
    }
    target = *path.at(++index);
  }
  std::optional<TimePoint> moves_at;
  if (target.timeout_seconds && index < path.last_index()) moves_at = since + Seconds(*target.timeout_seconds);
  return {target, since, moves_at};
}

}  // namespace omnigate::workbench::router
