// Long random runs with a fixed seed: whatever the rules, presence changes,
// offers and resolutions, no agent ever goes over capacity for a channel
// type, no one away or offline gets work, no declined agent is chosen again,
// and no conversation is handed out twice.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "router_fixtures.h"
#include "workbench/router/router.h"

namespace omnigate::workbench::router {
namespace {

using testing::at;
using testing::rules_from;

const std::vector<std::string> kChannels{"web", "email", "wechat_mp", "app"};

struct Open {
  std::int64_t agent;
  std::string channel;
};

class RandomRun {
 public:
  RandomRun(const std::string& rules_json, unsigned seed)
      : router_(rules_from(rules_json), {{1, "One", 2}, {2, "Two", 3}, {3, "Three", std::nullopt}}), rng_(seed) {
    for (int id = 1; id <= 40; ++id) {
      AgentState a;
      a.id = id;
      a.presence = pick<Presence>({Presence::online, Presence::online, Presence::away, Presence::offline});
      a.teams = {1 + id % 3};
      if (id % 5 == 0) a.teams.push_back(1 + (id + 1) % 3);
      for (const char* s : {"lang:zh", "lang:en", "billing", "vip"}) {
        if (chance(0.4)) a.skills.insert(s);
      }
      for (const std::string& ch : kChannels) {
        if (chance(0.7)) a.capacity[ch] = uniform(0, 4);
      }
      if (chance(0.2)) a.capacity["default"] = uniform(1, 3);
      agents_.push_back(a);
    }
  }

  void step(int t) {
    const TimePoint now = at(t);
    for (int i = uniform(0, 6); i > 0; --i) arrive(now);
    for (AgentState& a : agents_) {
      if (chance(0.03)) {
        a.presence = pick<Presence>({Presence::online, Presence::away, Presence::offline});
        if (a.presence == Presence::online) a.online_since = now;
      }
    }
    const std::vector<AgentState> before = agents_;
    Plan plan = router_.route(agents_, queue_, now);
    check(plan, before);
    apply(plan);
    finish_some();
  }

  int assignments() const { return assignments_; }

 private:
  template <typename T>
  T pick(std::initializer_list<T> options) {
    return *(options.begin() + uniform(0, static_cast<int>(options.size()) - 1));
  }
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  void arrive(TimePoint now) {
    WaitingConversation c;
    c.id = next_id_++;
    c.channel_type = kChannels[static_cast<std::size_t>(uniform(0, 3))];
    c.priority = uniform(0, 2);
    c.vip = chance(0.1);
    if (chance(0.6)) c.attributes["language"] = chance(0.5) ? "zh-CN" : "en";
    if (chance(0.3)) c.tags.insert("billing");
    if (chance(0.1)) c.team = uniform(1, 3);
    if (chance(0.3)) c.sticky_agent = uniform(1, 45);
    c.queued_at = now;
    c.target_since = now;
    queue_.push_back(c);
  }

  void check(const Plan& plan, const std::vector<AgentState>& before) {
    std::map<std::int64_t, const WaitingConversation*> waiting;
    for (const WaitingConversation& c : queue_) waiting[c.id] = &c;
    for (const Assignment& a : plan.assignments) {
      ASSERT_TRUE(handed_out_.insert(a.conversation).second) << "conversation " << a.conversation << " twice";
      ASSERT_EQ(waiting.count(a.conversation), 1u);
      const WaitingConversation& c = *waiting[a.conversation];
      const AgentState& agent = before.at(static_cast<std::size_t>(a.agent - 1));
      ASSERT_EQ(agent.presence, Presence::online) << "agent " << a.agent;
      for (std::int64_t d : c.declined_by) ASSERT_NE(d, a.agent);
      const int now_open = ++open_[a.agent][c.channel_type];
      ASSERT_LE(now_open, capacity_for(agent, c.channel_type))
          << "agent " << a.agent << " over capacity on " << c.channel_type;
      if (a.team) {
        ASSERT_NE(std::find(agent.teams.begin(), agent.teams.end(), *a.team), agent.teams.end());
      }
    }
    // The router's own bookkeeping agrees with an independent count.
    for (const AgentState& a : agents_) {
      for (const std::string& ch : kChannels) ASSERT_EQ(load_for(a, ch), open_[a.id][ch]) << a.id << " " << ch;
    }
  }

  void apply(const Plan& plan) {
    std::map<std::int64_t, const Assignment*> by_conversation;
    for (const Assignment& a : plan.assignments) by_conversation[a.conversation] = &a;
    std::vector<WaitingConversation> still;
    for (WaitingConversation& c : queue_) {
      auto it = by_conversation.find(c.id);
      if (it == by_conversation.end()) {
        still.push_back(std::move(c));
      } else if (it->second->offer && chance(0.3)) {
        // The offer lapses: back to the queue without that agent.
        --open_[it->second->agent][c.channel_type];
        --agents_[static_cast<std::size_t>(it->second->agent - 1)].load[c.channel_type];
        handed_out_.erase(c.id);
        c.declined_by.push_back(it->second->agent);
        still.push_back(std::move(c));
      } else {
        open_list_.push_back({it->second->agent, c.channel_type});
        ++assignments_;
      }
    }
    queue_ = std::move(still);
  }

  void finish_some() {
    std::vector<Open> kept;
    for (const Open& o : open_list_) {
      if (chance(0.15)) {
        --open_[o.agent][o.channel];
        --agents_[static_cast<std::size_t>(o.agent - 1)].load[o.channel];
      } else {
        kept.push_back(o);
      }
    }
    open_list_ = std::move(kept);
  }

  Router router_;
  std::mt19937 rng_;
  std::vector<AgentState> agents_;
  std::vector<WaitingConversation> queue_;
  std::map<std::int64_t, std::map<std::string, int>> open_;
  std::vector<Open> open_list_;
  std::set<std::int64_t> handed_out_;
  std::int64_t next_id_ = 1;
  int assignments_ = 0;
};

class RouterProperty : public ::testing::TestWithParam<std::string> {};

TEST_P(RouterProperty, CapacityNeverExceededOverALongRandomRun) {
  RandomRun run(GetParam(), 20261123);
  for (int t = 0; t < 2000; t += 2) {
    run.step(t);
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_GT(run.assignments(), 1000);  // the run did route a lot
}

INSTANTIATE_TEST_SUITE_P(
    Rules, RouterProperty,
    ::testing::Values(
        "{}",
        R"({"strategy": "round_robin", "sticky": {"enabled": true, "wait_seconds": 10}})",
        R"({"strategy": "longest_idle", "offer": {"enabled": true, "timeout_seconds": 4}})",
        R"({"offer": {"enabled": true}, "sticky": {"enabled": true, "wait_seconds": 6}, "team_overflow_seconds": 8,
            "rules": [
              {"match": {"vip": true}, "targets": [{"skills": ["vip"], "timeout_seconds": 4, "strategy": "round_robin"}, {}]},
              {"match": {"tags": "billing"}, "targets": [{"team": 1, "skills": ["billing"], "timeout_seconds": 6}]},
              {"match": {"language": {"exists": true}},
               "targets": [{"skills": ["lang:{language|primary}"], "timeout_seconds": 10, "skip_if_no_agents": true},
                           {"team": "Two", "strategy": "longest_idle"}]}]})"));

}  // namespace
}  // namespace omnigate::workbench::router
