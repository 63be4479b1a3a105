#pragma once
// Routing rules as admins write them (JSON), modelled on Twilio TaskRouter
// workflows (first matching filter -> ordered targets with timeouts) and
// Rocket.Chat Omnichannel's routing methods. The README's "Routing rules"
// section documents the JSON with a full example; in short:
//
//   { "strategy": "least_busy", "vip_boost": 100,
//     "offer": {"enabled": false, "timeout_seconds": 30},
//     "sticky": {"enabled": false, "wait_seconds": 60},
//     "team_overflow_seconds": 300,
//     "rules": [ {"name": "...", "match": {...}, "strategy": "...", "priority_boost": 0,
//                 "offer": {...}, "sticky": {...},
//                 "targets": [ {"team": 3 | "Billing", "skills": ["a", "lang:{language}"] |
//                                {"all": [...], "any": [...]}, "strategy": "...",
//                               "priority_boost": 0, "timeout_seconds": 60,
//                               "skip_if_no_agents": false} ]} ],
//     "default": {"targets": [...], ...} }
//
// The empty object (and a default-constructed Rules) routes every
// conversation least-busy over all online agents with free capacity.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <json/value.h>

#include "workbench/router/conditions.h"
#include "workbench/router/rules_error.h"
#include "workbench/router/skill_template.h"
#include "workbench/router/types.h"

namespace omnigate::workbench::router {

enum class Strategy {
  least_busy,    // fewest open conversations of the channel type (load balancing)
  longest_idle,  // longest since the last assignment or coming online (load rotation)
  round_robin,   // next agent by id after the last one this target chose
  manual,        // nobody is assigned: agents pick from the queue
};

std::string_view to_string(Strategy s);
std::optional<Strategy> strategy_from_string(std::string_view s);

// A team by id or by name (names are resolved against the teams the Router
// is given; an unknown team makes a target that nobody can serve).
struct TeamRef {
  std::optional<std::int64_t> id;
  std::string name;  // used when id is empty

  bool operator==(const TeamRef&) const = default;
};

struct SkillExpression {
  std::vector<SkillTemplate> all;  // the agent needs every one of these
  std::vector<SkillTemplate> any;  // and at least one of these (when not empty)

  bool empty() const { return all.empty() && any.empty(); }
  bool operator==(const SkillExpression&) const = default;
};

struct Target {
  std::optional<TeamRef> team;  // none: any agent (with the skills)
  SkillExpression skills;
  std::optional<Strategy> strategy;      // else the rule's, else the top-level one
  int priority_boost = 0;                // added to the conversation's priority while here
  std::optional<int> timeout_seconds;    // then the next target; none: wait here for good
  bool skip_if_no_agents = false;        // move on at once when no online agent here can take the channel

  bool operator==(const Target&) const = default;
};

struct OfferSettings {
  bool enabled = false;
  int timeout_seconds = 30;

  bool operator==(const OfferSettings&) const = default;
};

struct StickySettings {
  bool enabled = false;
  int wait_seconds = 60;

  bool operator==(const StickySettings&) const = default;
};

// Rule-level overrides: each field left out inherits the top-level value.
struct OfferOverride {
  std::optional<bool> enabled;
  std::optional<int> timeout_seconds;

  bool operator==(const OfferOverride&) const = default;
};

struct StickyOverride {
  std::optional<bool> enabled;
  std::optional<int> wait_seconds;

  bool operator==(const StickyOverride&) const = default;
};

struct Rule {
  std::string name;
  Match match;                  // empty: every conversation
  std::vector<Target> targets;  // never empty once parsed
  std::optional<Strategy> strategy;
  int priority_boost = 0;
  std::optional<OfferOverride> offer;
  std::optional<StickyOverride> sticky;

  bool operator==(const Rule&) const = default;
};

struct Rules {
  Strategy strategy = Strategy::least_busy;
  int vip_boost = 100;  // added to a VIP conversation's priority
  OfferSettings offer;
  StickySettings sticky;
  // A conversation put in a team by a person waits this long for that team,
  // then overflows along the fallback chain; none: it waits for the team.
  std::optional<int> team_overflow_seconds;
  std::vector<Rule> rules;  // the first that matches wins
  Rule default_rule;        // when none matches; its default target is every agent

  Rules();

  // Throws RulesError with the JSON path of the first problem. Null reads as {}.
  static Rules parse(const Json::Value& json);
  // The canonical form: parse(to_json()) == *this.
  Json::Value to_json() const;
  // Throws RulesError for a target naming a team id or name not in `teams`
  // (the admin API calls it before saving).
  void check_teams(const std::vector<Team>& teams) const;

  Strategy strategy_for(const Rule& rule, const Target& target) const;
  OfferSettings offer_for(const Rule& rule) const;
  StickySettings sticky_for(const Rule& rule) const;

  bool operator==(const Rules&) const = default;
};

}  // namespace omnigate::workbench::router
