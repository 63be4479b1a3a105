// Scripted routing scenarios: each sets up agents and a queue, routes, and
// checks who got what.
#include "workbench/router/router.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "router_fixtures.h"

namespace omnigate::workbench::router {
namespace {

using testing::agent;
using testing::assigned;
using testing::at;
using testing::rules_from;
using testing::waiting;

TEST(Router, DefaultIsLeastBusyOverOnlineAgentsWithCapacity) {
  Router router;
  std::vector<AgentState> agents{agent(1).load("web", 3), agent(2).load("web", 1), agent(3).load("web", 2)};
  std::vector<WaitingConversation> queue{waiting(10)};
  Plan plan = router.route(agents, queue, at(5));
  ASSERT_EQ(plan.assignments.size(), 1u);
  EXPECT_EQ(plan.assignments[0].agent, 2);
  EXPECT_FALSE(plan.assignments[0].offer);
  EXPECT_EQ(plan.assignments[0].team, std::nullopt);
  EXPECT_EQ(agents[1].load["web"], 2);  // taken as the plan was made
  EXPECT_EQ(agents[1].last_assigned_at, at(5));
}

TEST(Router, SpreadsAQueueByLoadAndStopsAtCapacity) {
  Router router;
  std::vector<AgentState> agents{agent(1, 2), agent(2, 3).load("web", 1)};
  std::vector<WaitingConversation> queue;
  for (int i = 0; i < 6; ++i) queue.push_back(waiting(100 + i, at(i)));
  Plan plan = router.route(agents, queue, at(10));
  std::map<std::int64_t, int> per_agent;
  for (const Assignment& a : plan.assignments) ++per_agent[a.agent];
  EXPECT_EQ(plan.assignments.size(), 4u);  // 2 + (3 - 1) free slots
  EXPECT_EQ(per_agent[1], 2);
  EXPECT_EQ(per_agent[2], 2);
  EXPECT_EQ(agents[0].load["web"], 2);
  EXPECT_EQ(agents[1].load["web"], 3);
  // The oldest are served; the two newest wait.
  EXPECT_EQ(assigned(plan).count(104), 0u);
  EXPECT_EQ(assigned(plan).count(105), 0u);
}

TEST(Router, CapacityIsPerChannelTypeWithDefault) {
  Router router;
  std::vector<AgentState> agents{testing::AgentBuilder(1).capacity("email", 10),
                                 testing::AgentBuilder(2).capacity("default", 1)};
  std::vector<WaitingConversation> queue{waiting(1).channel("web"), waiting(2, at(1)).channel("web"),
                                         waiting(3, at(2)).channel("email")};
  Plan plan = router.route(agents, queue, at(5));
  auto got = assigned(plan);
  EXPECT_EQ(got.at(1), 2);        // only agent 2 has web capacity (through "default")
  EXPECT_EQ(got.count(2), 0u);    // and only one
  // "default" is per channel type, so agent 2 could take an email too; agent 1
  // has been idle longer.
  EXPECT_EQ(got.at(3), 1);
}

TEST(Router, AwayAndOfflineAgentsNeverGetWork) {
  Router router(rules_from(R"({"sticky": {"enabled": true}})"));
  std::vector<AgentState> agents{agent(1).presence(Presence::away), agent(2).presence(Presence::offline)};
  std::vector<WaitingConversation> queue{waiting(1), waiting(2).sticky(1), waiting(3).sticky(2)};
  Plan plan = router.route(agents, queue, at(5));
  EXPECT_TRUE(plan.assignments.empty());
  agents.push_back(agent(3, 1).load("web", 0));
  plan = router.route(agents, queue, at(6));
  ASSERT_EQ(plan.assignments.size(), 1u);
  EXPECT_EQ(plan.assignments[0].agent, 3);
}

TEST(Router, VipGoesAheadOfEarlierNormalConversations) {
  Router router;
  std::vector<AgentState> agents{agent(1, 1)};
  std::vector<WaitingConversation> queue{waiting(1, at(0)), waiting(2, at(5)), waiting(3, at(30)).vip()};
  Plan plan = router.route(agents, queue, at(40));
  ASSERT_EQ(plan.assignments.size(), 1u);
  EXPECT_EQ(plan.assignments[0].conversation, 3);
}

TEST(Router, PriorityThenAgeThenId) {
  Router router(rules_from(R"({"vip_boost": 2})"));
  std::vector<AgentState> agents{agent(1, 1)};
  // priority 3 beats VIP (0 + 2); among equals the oldest wins, then the lowest id.
  std::vector<WaitingConversation> queue{waiting(1, at(0)).vip(), waiting(2, at(10)).priority(3)};
  EXPECT_EQ(router.route(agents, queue, at(20)).assignments.at(0).conversation, 2);

  std::vector<AgentState> one{agent(1, 1)};
  std::vector<WaitingConversation> same{waiting(7, at(3)), waiting(5, at(3)), waiting(6, at(4))};
  EXPECT_EQ(router.route(one, same, at(20)).assignments.at(0).conversation, 5);
}

TEST(Router, RuleAndTargetPriorityBoosts) {
  Router router(rules_from(R"({"rules": [
      {"match": {"tags": "refund"}, "priority_boost": 5, "targets": [{"priority_boost": 1}]}]})"));
  std::vector<AgentState> agents{agent(1, 1)};
  std::vector<WaitingConversation> queue{waiting(1, at(0)).priority(5), waiting(2, at(9)).tag("refund")};
  EXPECT_EQ(router.route(agents, queue, at(10)).assignments.at(0).conversation, 2);  // 0 + 5 + 1 > 5
}

TEST(Router, SkillsAndLanguageMatch) {
  Router router(rules_from(R"({"rules": [
      {"match": {"language": {"exists": true}},
       "targets": [{"skills": {"all": ["lang:{language|primary|lower}"], "any": ["billing", "shipping"]}}]}]})"));
  std::vector<AgentState> agents{
      agent(1).skill("lang:en").skill("billing"),
      agent(2).skill("lang:zh").skill("shipping").load("web", 4),  // busiest, but the only Chinese speaker
      agent(3).skill("lang:zh"),                                   // Chinese, neither billing nor shipping
  };
  std::vector<WaitingConversation> queue{waiting(1).attribute("language", "ZH-cn"),
                                         waiting(2, at(1)).attribute("language", "en-GB"),
                                         waiting(3, at(2)).attribute("language", "fr")};
  Plan plan = router.route(agents, queue, at(5));
  auto got = assigned(plan);
  EXPECT_EQ(got.at(1), 2);
  EXPECT_EQ(got.at(2), 1);
  EXPECT_EQ(got.count(3), 0u);  // nobody speaks French: it waits
}

TEST(Router, MissingLanguageLeavesTheTemplateOut) {
  Router router(rules_from(R"({"default": {"targets": [{"skills": ["lang:{language}", "support"]}]}})"));
  std::vector<AgentState> agents{agent(1).skill("lang:de").skill("support"), agent(2).skill("lang:de")};
  std::vector<WaitingConversation> queue{waiting(1)};
  EXPECT_EQ(router.route(agents, queue, at(5)).assignments.at(0).agent, 1);  // "support" still required
}

TEST(Router, FirstMatchingRuleWins) {
  Router router(rules_from(R"({"rules": [
      {"match": {"channel_type": "email"}, "targets": [{"team": 2}]},
      {"match": {"vip": true}, "targets": [{"team": 3}]},
      {"match": {}, "targets": [{"team": 1}]}]})"),
                {{1, "General", {}}, {2, "Mail", {}}, {3, "VIP", {}}});
  std::vector<AgentState> agents{agent(1).team(1), agent(2).team(2).capacity("email", 5), agent(3).team(3)};
  std::vector<WaitingConversation> queue{waiting(1).channel("email").vip(), waiting(2).vip(), waiting(3)};
  Plan plan = router.route(agents, queue, at(5));
  auto got = assigned(plan);
  EXPECT_EQ(got.at(1), 2);
  EXPECT_EQ(got.at(2), 3);
  EXPECT_EQ(got.at(3), 1);
  for (const Assignment& a : plan.assignments) EXPECT_EQ(a.team, a.agent);  // the target's team is reported
}

TEST(Router, TeamsByName) {
  Router router(rules_from(R"({"default": {"targets": [{"team": "Billing"}]}})"),
                {{4, "Billing", {}}, {5, "Sales", {}}});
  std::vector<AgentState> agents{agent(1).team(5), agent(2).team(4).load("web", 3)};
  std::vector<WaitingConversation> queue{waiting(1)};
  Plan plan = router.route(agents, queue, at(5));
  EXPECT_EQ(plan.assignments.at(0).agent, 2);
  EXPECT_EQ(plan.assignments.at(0).team, 4);

  Router unknown(rules_from(R"({"default": {"targets": [{"team": "Nobody"}]}})"), {{4, "Billing", {}}});
  EXPECT_TRUE(unknown.route(agents, queue, at(5)).assignments.empty());
}

TEST(Router, StickyAgentFirstEvenWhenBusier) {
  Router router(rules_from(R"({"sticky": {"enabled": true, "wait_seconds": 60}})"));
  std::vector<AgentState> agents{agent(1).load("web", 4), agent(2)};
  std::vector<WaitingConversation> queue{waiting(1).sticky(1)};
  Plan plan = router.route(agents, queue, at(5));
  ASSERT_EQ(plan.assignments.size(), 1u);
  EXPECT_EQ(plan.assignments[0].agent, 1);
  EXPECT_TRUE(plan.assignments[0].sticky);
}

TEST(Router, StickyWaitsForAFullAgentThenFallsThrough) {
  Router router(rules_from(R"({"sticky": {"enabled": true, "wait_seconds": 60}})"));
  std::vector<AgentState> agents{agent(1, 2).load("web", 2), agent(2)};
  std::vector<WaitingConversation> queue{waiting(1, at(0)).sticky(1)};

  Plan plan = router.route(agents, queue, at(30));
  EXPECT_TRUE(plan.assignments.empty());
  EXPECT_EQ(plan.next_wakeup, at(60));

  plan = router.route(agents, queue, at(60));
  ASSERT_EQ(plan.assignments.size(), 1u);
  EXPECT_EQ(plan.assignments[0].agent, 2);
  EXPECT_FALSE(plan.assignments[0].sticky);
}

TEST(Router, StickyAgentFreedDuringTheWaitGetsIt) {
  Router router(rules_from(R"({"sticky": {"enabled": true, "wait_seconds": 60}})"));
  std::vector<AgentState> agents{agent(1, 2).load("web", 2), agent(2)};
  std::vector<WaitingConversation> queue{waiting(1, at(0)).sticky(1)};
  EXPECT_TRUE(router.route(agents, queue, at(10)).assignments.empty());
  agents[0].load["web"] = 1;  // agent 1 resolved something
  EXPECT_EQ(router.route(agents, queue, at(20)).assignments.at(0).agent, 1);
}

TEST(Router, StickyDoesNotWaitForAnAwayAgentOrWhenDisabled) {
  std::vector<WaitingConversation> queue{waiting(1, at(0)).sticky(1)};
  {
    Router router(rules_from(R"({"sticky": {"enabled": true, "wait_seconds": 600}})"));
    std::vector<AgentState> agents{agent(1).presence(Presence::away), agent(2)};
    EXPECT_EQ(router.route(agents, queue, at(1)).assignments.at(0).agent, 2);
  }
  {
    Router router;  // sticky is off by default: plain least-busy
    std::vector<AgentState> agents{agent(1).load("web", 1), agent(2)};
    EXPECT_EQ(router.route(agents, queue, at(1)).assignments.at(0).agent, 2);
  }
  {
    Router router(rules_from(R"({"sticky": {"enabled": true}, "rules": [
        {"match": {"channel_type": "web"}, "sticky": {"enabled": false}, "targets": [{}]}]})"));
    std::vector<AgentState> agents{agent(1).load("web", 1), agent(2)};
    EXPECT_EQ(router.route(agents, queue, at(1)).assignments.at(0).agent, 2);
  }
}

TEST(Router, OfferExpiryGoesToTheNextAgent) {
  Router router(rules_from(R"({"offer": {"enabled": true, "timeout_seconds": 20}})"));
  std::vector<AgentState> agents{agent(1), agent(2).load("web", 1), agent(3).load("web", 2)};
  std::vector<WaitingConversation> queue{waiting(1, at(0))};

  Plan plan = router.route(agents, queue, at(0));
  ASSERT_EQ(plan.assignments.size(), 1u);
  const Assignment first = plan.assignments[0];
  EXPECT_EQ(first.agent, 1);
  EXPECT_TRUE(first.offer);
  EXPECT_EQ(first.offer_expires_at, at(20));
  EXPECT_EQ(plan.next_wakeup, at(20));

  // The offer expired: the caller frees the held slot and remembers who let it lapse.
  agents[0].load["web"] = 0;
  queue[0].declined_by.push_back(1);
  plan = router.route(agents, queue, at(20));
  EXPECT_EQ(plan.assignments.at(0).agent, 2);  // agent 1 is still the least busy, but declined

  agents[1].load["web"] = 1;
  queue[0].declined_by.push_back(2);
  EXPECT_EQ(router.route(agents, queue, at(40)).assignments.at(0).agent, 3);

  agents[2].load["web"] = 2;
  queue[0].declined_by.push_back(3);
  EXPECT_TRUE(router.route(agents, queue, at(60)).assignments.empty());  // everyone declined
}

TEST(Router, DeclinedStickyAgentIsSkipped) {
  Router router(rules_from(R"({"sticky": {"enabled": true, "wait_seconds": 60}})"));
  std::vector<AgentState> agents{agent(1), agent(2).load("web", 3)};
  std::vector<WaitingConversation> queue{waiting(1).sticky(1).declined(1)};
  EXPECT_EQ(router.route(agents, queue, at(1)).assignments.at(0).agent, 2);
}

TEST(Router, TargetTimeoutFallsThroughToTheNextTarget) {
  Router router(rules_from(R"({"default": {"targets": [
      {"skills": ["expert"], "timeout_seconds": 30}, {"skills": ["junior"], "timeout_seconds": 60}, {}]}})"));
  std::vector<AgentState> agents{agent(1, 1).skill("expert").load("web", 1), agent(2).skill("junior").load("web", 5),
                                 agent(3)};
  std::vector<WaitingConversation> queue{waiting(1, at(0))};

  Plan plan = router.route(agents, queue, at(10));
  EXPECT_TRUE(plan.assignments.empty());
  EXPECT_TRUE(plan.target_moves.empty());
  EXPECT_EQ(plan.next_wakeup, at(30));

  plan = router.route(agents, queue, at(45));  // the expert target ran out at 30
  EXPECT_TRUE(plan.assignments.empty());
  ASSERT_EQ(plan.target_moves.size(), 1u);
  EXPECT_EQ(plan.target_moves[0].target_index, 1);
  EXPECT_EQ(plan.target_moves[0].since, at(30));
  EXPECT_EQ(queue[0].target_index, 1);
  EXPECT_EQ(plan.next_wakeup, at(90));

  plan = router.route(agents, queue, at(200));  // 30 + 60 = 90: on to everyone
  ASSERT_EQ(plan.assignments.size(), 1u);
  EXPECT_EQ(plan.assignments[0].agent, 3);
  EXPECT_EQ(plan.assignments[0].target_index, 2);
  EXPECT_EQ(plan.target_moves.at(0).since, at(90));
  EXPECT_FALSE(plan.next_wakeup.has_value());
}

TEST(Router, SkipIfNoAgentsMovesOnAtOnce) {
  Router router(rules_from(R"({"default": {"targets": [
      {"skills": ["night"], "timeout_seconds": 600, "skip_if_no_agents": true}, {}]}})"));
  std::vector<AgentState> agents{agent(1).skill("night").presence(Presence::offline), agent(2)};
  std::vector<WaitingConversation> queue{waiting(1, at(0))};
  Plan plan = router.route(agents, queue, at(3));
  EXPECT_EQ(plan.assignments.at(0).agent, 2);
  EXPECT_EQ(plan.target_moves.at(0).since, at(3));

  // With the night agent online (even if full) the conversation waits for the target.
  std::vector<AgentState> staffed{agent(1, 1).skill("night").load("web", 1), agent(2)};
  std::vector<WaitingConversation> fresh{waiting(1, at(0))};
  EXPECT_TRUE(router.route(staffed, fresh, at(3)).assignments.empty());
}

TEST(Router, OverflowToTheFallbackTeamAfterTheTimeout) {
  const std::vector<Team> teams{{1, "Tier 1", 2}, {2, "Tier 2", 3}, {3, "Managers", 1}};  // a cycle
  Router router(rules_from(R"({"default": {"targets": [{"team": "Tier 1", "timeout_seconds": 120}]}})"), teams);
  std::vector<AgentState> agents{agent(1, 1).team(1).load("web", 1), agent(2, 1).team(2).load("web", 1),
                                 agent(3).team(3)};
  std::vector<WaitingConversation> queue{waiting(1, at(0))};

  Plan plan = router.route(agents, queue, at(60));
  EXPECT_TRUE(plan.assignments.empty());
  EXPECT_EQ(plan.next_wakeup, at(120));

  plan = router.route(agents, queue, at(130));  // overflow to Tier 2, whose agent is full too
  EXPECT_TRUE(plan.assignments.empty());
  EXPECT_EQ(queue[0].target_index, 1);
  EXPECT_EQ(plan.next_wakeup, at(240));

  plan = router.route(agents, queue, at(250));  // on to the managers
  ASSERT_EQ(plan.assignments.size(), 1u);
  EXPECT_EQ(plan.assignments[0].agent, 3);
  EXPECT_EQ(plan.assignments[0].team, 3);
  EXPECT_EQ(plan.assignments[0].target_index, 2);

  // The chain stops before coming back to Tier 1: the managers are the last stop.
  std::vector<AgentState> none{agent(3, 1).team(3).load("web", 1)};
  std::vector<WaitingConversation> late{waiting(2, at(0))};
  plan = router.route(none, late, at(100000));
  EXPECT_EQ(late[0].target_index, 2);
  EXPECT_FALSE(plan.next_wakeup.has_value());
}

TEST(Router, TransferredConversationStaysWithItsTeamThenOverflows) {
  const std::vector<Team> teams{{1, "Billing", 2}, {2, "Support", std::nullopt}};
  Router router(rules_from(R"({"team_overflow_seconds": 300,
                               "rules": [{"match": {}, "targets": [{"team": 2}]}]})"),
                teams);
  std::vector<AgentState> agents{agent(1, 1).team(1).load("web", 1), agent(2).team(2)};
  std::vector<WaitingConversation> queue{waiting(1, at(0)).team(1)};
  Plan plan = router.route(agents, queue, at(100));
  EXPECT_TRUE(plan.assignments.empty());  // the rules would send it to team 2; the transfer wins
  EXPECT_EQ(plan.next_wakeup, at(300));
  plan = router.route(agents, queue, at(300));
  EXPECT_EQ(plan.assignments.at(0).agent, 2);
  EXPECT_EQ(plan.assignments.at(0).team, 2);
}

TEST(Router, ManualStrategyAssignsNothing) {
  Router router(rules_from(R"({"strategy": "manual", "sticky": {"enabled": true}})"));
  std::vector<AgentState> agents{agent(1), agent(2)};
  std::vector<WaitingConversation> queue{waiting(1), waiting(2).vip(), waiting(3).sticky(1)};
  Plan plan = router.route(agents, queue, at(5));
  EXPECT_TRUE(plan.assignments.empty());
  EXPECT_EQ(agents[0].load["web"], 0);

  // Manual for one rule only; the rest is routed.
  Router mixed(rules_from(R"({"rules": [{"match": {"vip": true}, "targets": [{"strategy": "manual"}]}]})"));
  plan = mixed.route(agents, queue, at(5));
  auto got = assigned(plan);
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(got.count(2), 0u);
}

TEST(Router, RoundRobinFairnessAcrossCalls) {
  Router router(rules_from(R"({"strategy": "round_robin"})"));
  std::vector<AgentState> agents;
  for (int id = 1; id <= 7; ++id) agents.push_back(agent(id, 1000).load("web", id * 3));  // load is ignored
  std::map<std::int64_t, int> count;
  std::vector<std::int64_t> order;
  for (int i = 0; i < 1000; ++i) {
    std::vector<WaitingConversation> queue{waiting(i, at(i))};
    Plan plan = router.route(agents, queue, at(i));
    ASSERT_EQ(plan.assignments.size(), 1u);
    ++count[plan.assignments[0].agent];
    if (i < 8) order.push_back(plan.assignments[0].agent);
  }
  EXPECT_EQ(order, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 1}));
  for (const auto& [id, n] : count) EXPECT_NEAR(n, 1000 / 7, 1) << "agent " << id;
}

TEST(Router, RoundRobinWithinOneCallSkipsFullAndOfflineAgents) {
  Router router(rules_from(R"({"strategy": "round_robin"})"));
  std::vector<AgentState> agents{agent(1, 100), agent(2, 1), agent(3, 100).presence(Presence::away), agent(4, 100)};
  std::vector<WaitingConversation> queue;
  for (int i = 0; i < 9; ++i) queue.push_back(waiting(i, at(i)));
  Plan plan = router.route(agents, queue, at(100));
  std::vector<std::int64_t> order;
  for (const Assignment& a : plan.assignments) order.push_back(a.agent);
  EXPECT_EQ(order, (std::vector<std::int64_t>{1, 2, 4, 1, 4, 1, 4, 1, 4}));
}

TEST(Router, LongestIdleFairnessOverManyAssignments) {
  Router router(rules_from(R"({"strategy": "longest_idle"})"));
  std::vector<AgentState> agents;
  for (int id = 1; id <= 6; ++id) agents.push_back(agent(id, 1).online_since(at(-100 + id)).last_assigned(at(-500)));
  std::map<std::int64_t, int> count;
  std::vector<std::int64_t> first;
  for (int i = 0; i < 600; ++i) {
    std::vector<WaitingConversation> queue{waiting(i, at(i))};
    Plan plan = router.route(agents, queue, at(i));
    ASSERT_EQ(plan.assignments.size(), 1u);
    const std::int64_t chosen = plan.assignments[0].agent;
    ++count[chosen];
    if (i < 6) first.push_back(chosen);
    agents[static_cast<std::size_t>(chosen - 1)].load["web"] = 0;  // done at once: free again
  }
  EXPECT_EQ(first, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));  // by time online
  for (const auto& [id, n] : count) EXPECT_NEAR(n, 100, 1) << "agent " << id;
}

TEST(Router, LongestIdleIgnoresLoadAndPrefersTheLongestWithoutWork) {
  Router router(rules_from(R"({"default": {"strategy": "longest_idle", "targets": [{}]}})"));
  std::vector<AgentState> agents{agent(1).last_assigned(at(-10)), agent(2).load("web", 4).last_assigned(at(-300)),
                                 agent(3).last_assigned(at(-900)).online_since(at(-20))};  // back from a break
  std::vector<WaitingConversation> queue{waiting(1), waiting(2, at(1)), waiting(3, at(2))};
  Plan plan = router.route(agents, queue, at(5));
  std::vector<std::int64_t> order;
  for (const Assignment& a : plan.assignments) order.push_back(a.agent);
  EXPECT_EQ(order, (std::vector<std::int64_t>{2, 3, 1}));
}

TEST(Router, RulesCanBeReplacedKeepingTheRoundRobinCursor) {
  Router router(rules_from(R"({"strategy": "round_robin"})"));
  std::vector<AgentState> agents{agent(1, 100), agent(2, 100), agent(3, 100)};
  std::vector<WaitingConversation> queue{waiting(1)};
  EXPECT_EQ(router.route(agents, queue, at(1)).assignments.at(0).agent, 1);
  router.set_rules(rules_from(R"({"strategy": "round_robin", "vip_boost": 7})"));
  EXPECT_EQ(router.route(agents, queue, at(2)).assignments.at(0).agent, 2);
}

TEST(Router, ARuleBuiltWithoutTargetsServesEveryone) {
  Rules rules;
  rules.rules.push_back(Rule{});
  Router router(rules);
  std::vector<AgentState> agents{agent(1)};
  std::vector<WaitingConversation> queue{waiting(1)};
  EXPECT_EQ(router.route(agents, queue, at(1)).assignments.size(), 1u);
}

TEST(Router, SameInputSamePlan) {
  const Rules rules = rules_from(R"({"offer": {"enabled": true}, "sticky": {"enabled": true},
      "default": {"strategy": "least_busy", "targets": [{"skills": {"any": ["a", "b"]}, "timeout_seconds": 5}, {}]}})");
  std::vector<AgentState> agents;
  for (int id = 1; id <= 20; ++id) {
    agents.push_back(agent(id, id % 4).skill(id % 2 ? "a" : "b").load("web", id % 3).last_assigned(at(-id % 5)));
  }
  std::vector<WaitingConversation> queue;
  for (int i = 0; i < 60; ++i) queue.push_back(waiting(i, at(i % 7)).priority(i % 3).sticky(i % 25));
  auto plan_of = [&] {
    std::vector<AgentState> a = agents;
    std::vector<WaitingConversation> q = queue;
    Plan p = Router(rules).route(a, q, at(8));
    std::vector<std::int64_t> flat;
    for (const Assignment& x : p.assignments) flat.insert(flat.end(), {x.conversation, x.agent, x.target_index});
    return flat;
  };
  const auto first = plan_of();
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(plan_of(), first);
}

}  // namespace
}  // namespace omnigate::workbench::router
