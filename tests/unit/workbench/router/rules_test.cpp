#include "workbench/router/rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "router_fixtures.h"

namespace omnigate::workbench::router {
namespace {

using testing::rules_from;
using testing::waiting;
using testing::at;

const char* const kFullExample = R"({
  "strategy": "least_busy",
  "vip_boost": 50,
  "offer": {"enabled": true, "timeout_seconds": 20},
  "sticky": {"enabled": true, "wait_seconds": 90},
  "team_overflow_seconds": 300,
  "rules": [
    {"name": "VIP Chinese on WeChat",
     "match": {"channel_type": ["wechat_mp", "wecom"], "vip": true, "language": {"in": ["zh", "zh-CN"]},
               "region": {"exists": true}, "tags": {"not_in": ["spam"]}},
     "strategy": "longest_idle", "priority_boost": 10,
     "offer": {"enabled": false}, "sticky": {"wait_seconds": 30},
     "targets": [
       {"team": "VIP", "skills": {"all": ["lang:{language|primary}"], "any": ["billing", "shipping"]},
        "timeout_seconds": 60, "strategy": "round_robin"},
       {"team": 2, "skills": ["lang:{language|primary|lower}"], "timeout_seconds": 120, "priority_boost": 5,
        "skip_if_no_agents": true},
       {"skills": ["lang:{language|primary}"]}
     ]},
    {"match": {"channel_type": "email"}, "targets": [{"team": "Mail", "strategy": "manual"}]}
  ],
  "default": {"strategy": "least_busy", "targets": [{"team": 1, "timeout_seconds": 600}, {}]}
})";

TEST(RulesParse, EmptyAndNullAreTheDefault) {
  const Rules defaults;
  EXPECT_EQ(rules_from("{}"), defaults);
  EXPECT_EQ(rules_from("null"), defaults);
  EXPECT_EQ(defaults.strategy, Strategy::least_busy);
  EXPECT_FALSE(defaults.offer.enabled);
  EXPECT_FALSE(defaults.sticky.enabled);
  EXPECT_TRUE(defaults.rules.empty());
  ASSERT_EQ(defaults.default_rule.targets.size(), 1u);
  EXPECT_EQ(defaults.default_rule.targets[0], Target{});
}

TEST(RulesParse, FullExample) {
  const Rules r = rules_from(kFullExample);
  EXPECT_EQ(r.vip_boost, 50);
  EXPECT_EQ(r.offer, (OfferSettings{true, 20}));
  EXPECT_EQ(r.sticky, (StickySettings{true, 90}));
  EXPECT_EQ(r.team_overflow_seconds, 300);
  ASSERT_EQ(r.rules.size(), 2u);
  const Rule& vip = r.rules[0];
  EXPECT_EQ(vip.name, "VIP Chinese on WeChat");
  EXPECT_EQ(vip.match.conditions.size(), 5u);
  ASSERT_EQ(vip.targets.size(), 3u);
  EXPECT_EQ(vip.targets[0].team, (TeamRef{std::nullopt, "VIP"}));
  EXPECT_EQ(vip.targets[0].skills.all.size(), 1u);
  EXPECT_EQ(vip.targets[0].skills.any.size(), 2u);
  EXPECT_EQ(vip.targets[0].timeout_seconds, 60);
  EXPECT_EQ(r.strategy_for(vip, vip.targets[0]), Strategy::round_robin);
  EXPECT_EQ(r.strategy_for(vip, vip.targets[1]), Strategy::longest_idle);  // the rule's
  EXPECT_EQ(vip.targets[1].team, (TeamRef{2, ""}));
  EXPECT_TRUE(vip.targets[1].skip_if_no_agents);
  EXPECT_EQ(r.offer_for(vip), (OfferSettings{false, 20}));   // enabled overridden, timeout inherited
  EXPECT_EQ(r.sticky_for(vip), (StickySettings{true, 30}));  // the other way round
  EXPECT_EQ(r.offer_for(r.rules[1]), (OfferSettings{true, 20}));
  EXPECT_EQ(r.default_rule.targets.size(), 2u);
}

TEST(RulesParse, ToJsonRoundTrips) {
  const Rules r = rules_from(kFullExample);
  const Json::Value canonical = r.to_json();
  EXPECT_EQ(Rules::parse(canonical), r);
  EXPECT_EQ(Rules::parse(canonical).to_json(), canonical);
  EXPECT_EQ(Rules::parse(Rules().to_json()), Rules());
  // The admin's literals survive: a boolean stays a boolean.
  EXPECT_TRUE(canonical["rules"][0]["match"]["vip"].isBool());
  EXPECT_EQ(canonical["rules"][0]["targets"][1]["team"].asInt64(), 2);
}

struct BadRules {
  std::string json;
  std::string message;
};

class RulesValidation : public ::testing::TestWithParam<BadRules> {};

TEST_P(RulesValidation, NamesTheJsonPath) {
  try {
    rules_from(GetParam().json);
    FAIL() << "accepted: " << GetParam().json;
  } catch (const RulesError& e) {
    EXPECT_EQ(std::string(e.what()), GetParam().message);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Errors, RulesValidation,
    ::testing::Values(
        BadRules{"[]", "$: must be an object"},
        BadRules{R"({"stratgy": "least_busy"})", "stratgy: unknown key"},
        BadRules{R"({"strategy": "fastest"})",
                 "strategy: must be one of least_busy, longest_idle, round_robin, manual"},
        BadRules{R"({"vip_boost": -1})", "vip_boost: must be an integer between 0 and 1000000"},
        BadRules{R"({"offer": {"timeout_seconds": 0}})", "offer.timeout_seconds: must be an integer between 1 and 86400"},
        BadRules{R"({"offer": {"enabled": "yes"}})", "offer.enabled: must be true or false"},
        BadRules{R"({"sticky": {"wait": 5}})", "sticky.wait: unknown key"},
        BadRules{R"({"team_overflow_seconds": 1.5})",
                 "team_overflow_seconds: must be a non-negative integer (at most 2592000)"},
        BadRules{R"({"rules": {}})", "rules: must be an array of rules"},
        BadRules{R"({"rules": [{"match": {}}]})", "rules[0].targets: required: a non-empty array of targets"},
        BadRules{R"({"rules": [{"targets": []}]})", "rules[0].targets: must be a non-empty array of targets"},
        BadRules{R"({"rules": [{"targets": [{}]}, {"targets": [{}, {"timeout_seconds": -5}]}]})",
                 "rules[1].targets[1].timeout_seconds: must be a non-negative integer (at most 2592000)"},
        BadRules{R"({"rules": [{"targets": [{"timeout_seconds": "60"}]}]})",
                 "rules[0].targets[0].timeout_seconds: must be a non-negative integer (at most 2592000)"},
        BadRules{R"({"rules": [{"targets": [{"team": 0}]}]})",
                 "rules[0].targets[0].team: must be a team id (positive integer) or a team name"},
        BadRules{R"({"rules": [{"targets": [{"team": ""}]}]})",
                 "rules[0].targets[0].team: must be a team id (positive integer) or a team name"},
        BadRules{R"({"rules": [{"targets": [{"skills": "billing"}]}]})",
                 "rules[0].targets[0].skills: must be an array of skills or an object with all and/or any"},
        BadRules{R"({"rules": [{"targets": [{"skills": ["a", ""]}]}]})",
                 "rules[0].targets[0].skills[1]: must be a non-empty string"},
        BadRules{R"({"rules": [{"targets": [{"skills": {"none": ["a"]}}]}]})",
                 "rules[0].targets[0].skills.none: unknown key"},
        BadRules{R"({"rules": [{"targets": [{"skills": {"any": ["lang:{language"]}}]}]})",
                 "rules[0].targets[0].skills.any[0]: unbalanced '{' in \"lang:{language\""},
        BadRules{R"({"rules": [{"targets": [{"skills": ["lang:language}"]}]}]})",
                 "rules[0].targets[0].skills[0]: unbalanced '}' in \"lang:language}\""},
        BadRules{R"({"rules": [{"targets": [{"skills": ["lang:{}"]}]}]})",
                 "rules[0].targets[0].skills[0]: empty attribute name in \"lang:{}\""},
        BadRules{R"({"rules": [{"targets": [{"skills": ["lang:{language|upper}"]}]}]})",
                 "rules[0].targets[0].skills[0]: unknown filter \"upper\" (use lower or primary)"},
        BadRules{R"({"rules": [{"targets": [{"skills": ["t:{tags}"]}]}]})",
                 "rules[0].targets[0].skills[0]: tags cannot be used in a skill template"},
        BadRules{R"({"rules": [{"match": [], "targets": [{}]}]})",
                 "rules[0].match: must be an object of attribute conditions"},
        BadRules{R"({"rules": [{"match": {"channel_type": "fax"}, "targets": [{}]}]})",
                 "rules[0].match.channel_type: unknown channel type \"fax\""},
        BadRules{R"({"rules": [{"match": {"channel_type": ["web", "telex"]}, "targets": [{}]}]})",
                 "rules[0].match.channel_type[1]: unknown channel type \"telex\""},
        BadRules{R"({"rules": [{"match": {"language": {"like": "zh%"}}, "targets": [{}]}]})",
                 "rules[0].match.language.like: unknown operator (use eq, in, not_in or exists)"},
        BadRules{R"({"rules": [{"match": {"language": {"in": []}}, "targets": [{}]}]})",
                 "rules[0].match.language.in: must be a non-empty array"},
        BadRules{R"({"rules": [{"match": {"language": {"in": ["zh"], "eq": "en"}}, "targets": [{}]}]})",
                 "rules[0].match.language: must have exactly one of eq, in, not_in, exists"},
        BadRules{R"({"rules": [{"match": {"tier": {"eq": 1.5}}, "targets": [{}]}]})",
                 "rules[0].match.tier.eq: must be a string, an integer or a boolean"},
        BadRules{R"({"rules": [{"match": {"region": {"exists": 1}}, "targets": [{}]}]})",
                 "rules[0].match.region.exists: must be true or false"},
        BadRules{R"({"rules": [{"targets": [{}], "priority_boost": 2000000}]})",
                 "rules[0].priority_boost: must be an integer between -1000000 and 1000000"},
        BadRules{R"({"default": {"match": {}, "targets": [{}]}})", "default.match: unknown key"},
        BadRules{R"({"default": {"targets": [{"strategy": "random"}]}})",
                 "default.targets[0].strategy: must be one of least_busy, longest_idle, round_robin, manual"}));

TEST(RulesCheckTeams, UnknownTeamsAreNamedByPath) {
  const Rules r = rules_from(kFullExample);
  const std::vector<Team> all{{1, "General", std::nullopt}, {2, "Second line", 1}, {3, "VIP", 2}, {4, "Mail", {}}};
  EXPECT_NO_THROW(r.check_teams(all));
  try {
    r.check_teams({{1, "General", {}}, {2, "Second line", {}}, {4, "Mail", {}}});
    FAIL();
  } catch (const RulesError& e) {
    EXPECT_STREQ(e.what(), "rules[0].targets[0].team: unknown team \"VIP\"");
    EXPECT_EQ(e.path(), "rules[0].targets[0].team");
  }
  try {
    r.check_teams({{3, "VIP", {}}, {4, "Mail", {}}, {1, "General", {}}});
    FAIL();
  } catch (const RulesError& e) {
    EXPECT_STREQ(e.what(), "rules[0].targets[1].team: unknown team id 2");
  }
}

TEST(Match, EqualityListsExistsAndTags) {
  const Match m = Match::parse(schema::parse_json(R"({
      "channel_type": ["wechat", "wecom"], "vip": true, "language": "zh", "region": {"exists": false},
      "tier": {"not_in": ["trial", 0]}, "tags": ["refund", "complaint"]})"),
                               "match");
  WaitingConversation c = waiting(1).channel("wechat_mp").vip().attribute("language", "zh").tag("refund");
  EXPECT_TRUE(m.matches(c));  // "wechat" is read as the wechat_mp alias

  WaitingConversation other = c;
  other.channel_type = "email";
  EXPECT_FALSE(m.matches(other));
  other = c;
  other.vip = false;
  EXPECT_FALSE(m.matches(other));
  other = c;
  other.attributes["language"] = "en";
  EXPECT_FALSE(m.matches(other));
  other = c;
  other.attributes["region"] = "EU";
  EXPECT_FALSE(m.matches(other));  // exists: false
  other = c;
  other.attributes["tier"] = "0";  // integers compare as their decimal text
  EXPECT_FALSE(m.matches(other));
  other.attributes["tier"] = "gold";
  EXPECT_TRUE(m.matches(other));
  other = c;
  other.tags = {"praise"};
  EXPECT_FALSE(m.matches(other));
  other.tags = {"praise", "complaint"};
  EXPECT_TRUE(m.matches(other));
}

TEST(Match, MissingAttributes) {
  const Match m = Match::parse(schema::parse_json(R"({"language": {"not_in": ["en"]}})"), "match");
  EXPECT_TRUE(m.matches(waiting(1)));  // no language: not in the list
  const Match eq = Match::parse(schema::parse_json(R"({"language": {"eq": "en"}})"), "match");
  EXPECT_FALSE(eq.matches(waiting(1)));
  const Match tags = Match::parse(schema::parse_json(R"({"tags": {"exists": true}})"), "match");
  EXPECT_FALSE(tags.matches(waiting(1)));
  EXPECT_TRUE(tags.matches(waiting(1).tag("x")));
  EXPECT_TRUE(Match{}.matches(waiting(1)));
}

TEST(Match, BuiltinsWinOverContactAttributes) {
  const Match m = Match::parse(schema::parse_json(R"({"channel_type": "web", "priority": 2})"), "match");
  EXPECT_TRUE(m.matches(waiting(1).priority(2).attribute("channel_type", "email")));
  EXPECT_FALSE(m.matches(waiting(1).priority(1)));
}

TEST(SkillTemplate, ExpandsFromAttributes) {
  const WaitingConversation c = waiting(1).attribute("language", "zh-CN").attribute("region", "APAC");
  EXPECT_EQ(SkillTemplate::parse("billing", "s").expand(c), "billing");
  EXPECT_EQ(SkillTemplate::parse("lang:{language}", "s").expand(c), "lang:zh-CN");
  EXPECT_EQ(SkillTemplate::parse("lang:{language|primary}", "s").expand(c), "lang:zh");
  EXPECT_EQ(SkillTemplate::parse("lang:{language|lower}", "s").expand(c), "lang:zh-cn");
  EXPECT_EQ(SkillTemplate::parse("{region|lower}/{language|primary}", "s").expand(c), "apac/zh");
  EXPECT_EQ(SkillTemplate::parse("{channel_type}-desk", "s").expand(c), "web-desk");
  EXPECT_EQ(SkillTemplate::parse("lang:{locale}", "s").expand(c), std::nullopt);
}

}  // namespace
}  // namespace omnigate::workbench::router
