#include "workbench/router/rules.h"

#include <algorithm>
#include <utility>

#include "workbench/router/json_reader.h"

namespace omnigate::workbench::router {

namespace {

using json_reader::element_path;
using json_reader::ObjectReader;
using json_reader::read_bool;
using json_reader::read_int;
using json_reader::read_nonempty_string;

constexpr int kMaxSeconds = 30 * 24 * 3600;  // a month: anything longer is a typo
constexpr int kMaxBoost = 1'000'000;

constexpr std::pair<Strategy, std::string_view> kStrategyNames[] = {
    {Strategy::least_busy, "least_busy"},
    {Strategy::longest_idle, "longest_idle"},
    {Strategy::round_robin, "round_robin"},
    {Strategy::manual, "manual"},
};

Strategy read_strategy(const Json::Value& v, const std::string& path) {
  std::optional<Strategy> s = v.isString() ? strategy_from_string(v.asString()) : std::nullopt;
  if (!s) throw RulesError(path, "must be one of least_busy, longest_idle, round_robin, manual");
  return *s;
}

int read_boost(const Json::Value& v, const std::string& path) {
  return read_int(v, path, -kMaxBoost, kMaxBoost, "an integer between -1000000 and 1000000");
}

int read_seconds(const Json::Value& v, const std::string& path) {
  return read_int(v, path, 0, kMaxSeconds, "a non-negative integer (at most 2592000)");
}

TeamRef read_team(const Json::Value& v, const std::string& path) {
  if (v.isString() && !v.asString().empty()) return TeamRef{std::nullopt, v.asString()};
  if (v.isIntegral() && !v.isBool() && v.isInt64() && v.asInt64() > 0) return TeamRef{v.asInt64(), {}};
  throw RulesError(path, "must be a team id (positive integer) or a team name");
}

std::vector<SkillTemplate> read_skill_list(const Json::Value& v, const std::string& path) {
  if (!v.isArray()) throw RulesError(path, "must be an array of skills");
  std::vector<SkillTemplate> out;
  for (unsigned i = 0; i < v.size(); ++i) {
    const std::string item_path = element_path(path, i);
    out.push_back(SkillTemplate::parse(read_nonempty_string(v[i], item_path), item_path));
  }
  return out;
}

SkillExpression read_skills(const Json::Value& v, const std::string& path) {
  SkillExpression e;
  if (v.isArray()) {
    e.all = read_skill_list(v, path);
    return e;
  }
  if (!v.isObject()) throw RulesError(path, "must be an array of skills or an object with all and/or any");
  ObjectReader r(v, path, {"all", "any"});
  if (const Json::Value* all = r.find("all")) e.all = read_skill_list(*all, r.path_of("all"));
  if (const Json::Value* any = r.find("any")) e.any = read_skill_list(*any, r.path_of("any"));
  return e;
}

Target read_target(const Json::Value& v, const std::string& path) {
  ObjectReader r(v, path, {"team", "skills", "strategy", "priority_boost", "timeout_seconds", "skip_if_no_agents"});
  Target t;
  if (const Json::Value* x = r.find("team")) t.team = read_team(*x, r.path_of("team"));
  if (const Json::Value* x = r.find("skills")) t.skills = read_skills(*x, r.path_of("skills"));
  if (const Json::Value* x = r.find("strategy")) t.strategy = read_strategy(*x, r.path_of("strategy"));
  if (const Json::Value* x = r.find("priority_boost")) t.priority_boost = read_boost(*x, r.path_of("priority_boost"));
  if (const Json::Value* x = r.find("timeout_seconds")) t.timeout_seconds = read_seconds(*x, r.path_of("timeout_seconds"));
  if (const Json::Value* x = r.find("skip_if_no_agents")) t.skip_if_no_agents = read_bool(*x, r.path_of("skip_if_no_agents"));
  return t;
}

std::vector<Target> read_targets(const Json::Value& v, const std::string& path) {
  if (!v.isArray() || v.empty()) throw RulesError(path, "must be a non-empty array of targets");
  std::vector<Target> out;
  for (unsigned i = 0; i < v.size(); ++i) out.push_back(read_target(v[i], element_path(path, i)));
  return out;
}

int read_offer_timeout(const Json::Value& v, const std::string& path) {
  return read_int(v, path, 1, 86400, "an integer between 1 and 86400");
}

int read_sticky_wait(const Json::Value& v, const std::string& path) {
  return read_int(v, path, 0, 86400, "an integer between 0 and 86400");
}

OfferOverride read_offer(const Json::Value& v, const std::string& path) {
  ObjectReader r(v, path, {"enabled", "timeout_seconds"});
  OfferOverride o;
  if (const Json::Value* x = r.find("enabled")) o.enabled = read_bool(*x, r.path_of("enabled"));
  if (const Json::Value* x = r.find("timeout_seconds")) o.timeout_seconds = read_offer_timeout(*x, r.path_of("timeout_seconds"));
  return o;
}

StickyOverride read_sticky(const Json::Value& v, const std::string& path) {
  ObjectReader r(v, path, {"enabled", "wait_seconds"});
  StickyOverride s;
  if (const Json::Value* x = r.find("enabled")) s.enabled = read_bool(*x, r.path_of("enabled"));
  if (const Json::Value* x = r.find("wait_seconds")) s.wait_seconds = read_sticky_wait(*x, r.path_of("wait_seconds"));
  return s;
}

// A rule, or the default rule (no match; targets optional).
Rule read_rule(const Json::Value& v, const std::string& path, bool is_default) {
  ObjectReader r = is_default
                       ? ObjectReader(v, path, {"name", "targets", "strategy", "priority_boost", "offer", "sticky"})
                       : ObjectReader(v, path, {"name", "match", "targets", "strategy", "priority_boost", "offer", "sticky"});
  Rule rule;
  if (const Json::Value* x = r.find("name")) {
    if (!x->isString()) throw RulesError(r.path_of("name"), "must be a string");
    rule.name = x->asString();
  }
  if (const Json::Value* x = r.find("match")) rule.match = Match::parse(*x, r.path_of("match"));
  if (const Json::Value* x = r.find("targets")) {
    rule.targets = read_targets(*x, r.path_of("targets"));
  } else if (is_default) {
    rule.targets = {Target{}};
  } else {
    throw RulesError(r.path_of("targets"), "required: a non-empty array of targets");
  }
  if (const Json::Value* x = r.find("strategy")) rule.strategy = read_strategy(*x, r.path_of("strategy"));
  if (const Json::Value* x = r.find("priority_boost")) rule.priority_boost = read_boost(*x, r.path_of("priority_boost"));
  if (const Json::Value* x = r.find("offer")) rule.offer = read_offer(*x, r.path_of("offer"));
  if (const Json::Value* x = r.find("sticky")) rule.sticky = read_sticky(*x, r.path_of("sticky"));
  return rule;
}

Json::Value skills_json(const std::vector<SkillTemplate>& list) {
  Json::Value out(Json::arrayValue);
  for (const SkillTemplate& s : list) out.append(s.text());
  return out;
}

Json::Value target_json(const Target& t) {
  Json::Value out(Json::objectValue);
  if (t.team) out["team"] = t.team->id ? Json::Value(Json::Int64{*t.team->id}) : Json::Value(t.team->name);
  if (!t.skills.any.empty()) {
    out["skills"]["all"] = skills_json(t.skills.all);
    out["skills"]["any"] = skills_json(t.skills.any);
  } else if (!t.skills.all.empty()) {
    out["skills"] = skills_json(t.skills.all);
  }
  if (t.strategy) out["strategy"] = std::string(to_string(*t.strategy));
  if (t.priority_boost != 0) out["priority_boost"] = t.priority_boost;
  if (t.timeout_seconds) out["timeout_seconds"] = *t.timeout_seconds;
  if (t.skip_if_no_agents) out["skip_if_no_agents"] = true;
  return out;
}

Json::Value rule_json(const Rule& rule, bool is_default) {
  Json::Value out(Json::objectValue);
  if (!rule.name.empty()) out["name"] = rule.name;
  if (!is_default) out["match"] = rule.match.to_json();
  Json::Value targets(Json::arrayValue);
  for (const Target& t : rule.targets) targets.append(target_json(t));
  out["targets"] = targets;
  if (rule.strategy) out["strategy"] = std::string(to_string(*rule.strategy));
  if (rule.priority_boost != 0) out["priority_boost"] = rule.priority_boost;
  if (rule.offer) {
    out["offer"] = Json::Value(Json::objectValue);
    if (rule.offer->enabled) out["offer"]["enabled"] = *rule.offer->enabled;
    if (rule.offer->timeout_seconds) out["offer"]["timeout_seconds"] = *rule.offer->timeout_seconds;
  }
  if (rule.sticky) {
    out["sticky"] = Json::Value(Json::objectValue);
    if (rule.sticky->enabled) out["sticky"]["enabled"] = *rule.sticky->enabled;
    if (rule.sticky->wait_seconds) out["sticky"]["wait_seconds"] = *rule.sticky->wait_seconds;
  }
  return out;
}

void check_team(const Target& t, const std::vector<Team>& teams, const std::string& path) {
  if (!t.team) return;
  const bool known = std::any_of(teams.begin(), teams.end(), [&](const Team& team) {
    return t.team->id ? team.id == *t.team->id : team.name == t.team->name;
  });
  if (!known) {
    throw RulesError(path, t.team->id ? "unknown team id " + std::to_string(*t.team->id)
                                      : "unknown team \"" + t.team->name + "\"");
  }
}

}  // namespace

std::string_view to_string(Strategy s) {
  for (const auto& [value, name] : kStrategyNames) {
    if (value == s) return name;
  }
  return "least_busy";
}

std::optional<Strategy> strategy_from_string(std::string_view s) {
  for (const auto& [value, name] : kStrategyNames) {
    if (name == s) return value;
  }
  return std::nullopt;
}

Rules::Rules() { default_rule.targets = {Target{}}; }

Rules Rules::parse(const Json::Value& json) {
  Rules rules;
  if (json.isNull()) return rules;
  ObjectReader r(json, "",
                 {"strategy", "vip_boost", "offer", "sticky", "team_overflow_seconds", "rules", "default"});
  if (const Json::Value* x = r.find("strategy")) rules.strategy = read_strategy(*x, r.path_of("strategy"));
  if (const Json::Value* x = r.find("vip_boost")) {
    rules.vip_boost = read_int(*x, r.path_of("vip_boost"), 0, kMaxBoost, "an integer between 0 and 1000000");
  }
  if (const Json::Value* x = r.find("offer")) {
    OfferOverride o = read_offer(*x, r.path_of("offer"));
    rules.offer = {o.enabled.value_or(rules.offer.enabled), o.timeout_seconds.value_or(rules.offer.timeout_seconds)};
  }
  if (const Json::Value* x = r.find("sticky")) {
    StickyOverride s = read_sticky(*x, r.path_of("sticky"));
    rules.sticky = {s.enabled.value_or(rules.sticky.enabled), s.wait_seconds.value_or(rules.sticky.wait_seconds)};
  }
  if (const Json::Value* x = r.find("team_overflow_seconds")) {
    rules.team_overflow_seconds = read_seconds(*x, r.path_of("team_overflow_seconds"));
  }
  if (const Json::Value* x = r.find("rules")) {
    if (!x->isArray()) throw RulesError(r.path_of("rules"), "must be an array of rules");
    for (unsigned i = 0; i < x->size(); ++i) {
      rules.rules.push_back(read_rule((*x)[i], element_path(r.path_of("rules"), i), false));
    }
  }
  if (const Json::Value* x = r.find("default")) rules.default_rule = read_rule(*x, r.path_of("default"), true);
  return rules;
}

Json::Value Rules::to_json() const {
  Json::Value out(Json::objectValue);
  out["strategy"] = std::string(to_string(strategy));
  out["vip_boost"] = vip_boost;
  out["offer"]["enabled"] = offer.enabled;
  out["offer"]["timeout_seconds"] = offer.timeout_seconds;
  out["sticky"]["enabled"] = sticky.enabled;
  out["sticky"]["wait_seconds"] = sticky.wait_seconds;
  out["team_overflow_seconds"] = team_overflow_seconds ? Json::Value(*team_overflow_seconds) : Json::Value();
  Json::Value list(Json::arrayValue);
  for (const Rule& rule : rules) list.append(rule_json(rule, false));
  out["rules"] = list;
  out["default"] = rule_json(default_rule, true);
  return out;
}

void Rules::check_teams(const std::vector<Team>& teams) const {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    for (std::size_t j = 0; j < rules[i].targets.size(); ++j) {
      check_team(rules[i].targets[j], teams,
                 "rules[" + std::to_string(i) + "].targets[" + std::to_string(j) + "].team");
    }
  }
  for (std::size_t j = 0; j < default_rule.targets.size(); ++j) {
    check_team(default_rule.targets[j], teams, "default.targets[" + std::to_string(j) + "].team");
  }
}

Strategy Rules::strategy_for(const Rule& rule, const Target& target) const {
  return target.strategy.value_or(rule.strategy.value_or(strategy));
}

OfferSettings Rules::offer_for(const Rule& rule) const {
  if (!rule.offer) return offer;
  return {rule.offer->enabled.value_or(offer.enabled), rule.offer->timeout_seconds.value_or(offer.timeout_seconds)};
}

StickySettings Rules::sticky_for(const Rule& rule) const {
  if (!rule.sticky) return sticky;
  return {rule.sticky->enabled.value_or(sticky.enabled), rule.sticky->wait_seconds.value_or(sticky.wait_seconds)};
}

}  // namespace omnigate::workbench::router
