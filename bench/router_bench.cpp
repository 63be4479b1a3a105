// og_router_bench (Google Benchmark): routing decisions per second of the
// pure router (workbench/router) with 1,000 agents and 10,000 waiting
// conversations. One route() call decides for the whole queue, so one
// decision = one waiting conversation looked at: items_per_second is
// decisions/s (goal: at least 50,000, so the router is never what limits
// ingest). Scenarios:
//   Default     no rules: least-busy over every online agent; capacity for
//               most of the queue, the rest stays queued
//   Rules       five rules over teams, skills, a language template, VIP and
//               round-robin / longest-idle targets with timeouts and overflow
//   Saturated   every agent full: each decision finds nobody (the steady
//               state of a long queue while the assigner keeps polling)
//   Sticky      returning contacts whose last agent is online, with offers
//               on
// The agents and the queue are copied back to their starting state before
// each call (outside the timed region), so every iteration routes the same
// input.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "schema/json.h"
#include "workbench/router/router.h"

namespace {

namespace router = omnigate::workbench::router;

constexpr int kAgents = 1000;
constexpr int kQueue = 10000;
const std::vector<std::string> kChannels{"web", "wechat_mp", "email", "app"};
const std::vector<std::string> kLanguages{"zh", "en", "ja", "de", "fr"};

router::TimePoint at(std::int64_t seconds) { return router::TimePoint{std::chrono::seconds(1'800'000'000 + seconds)}; }

std::vector<router::Team> teams() {
  std::vector<router::Team> out;
  for (int id = 1; id <= 10; ++id) {
    out.push_back({id, "team-" + std::to_string(id), id < 10 ? std::optional<std::int64_t>(id + 1) : std::nullopt});
  }
  return out;
}

// Every agent online; `load_fraction` of each capacity already taken.
std::vector<router::AgentState> make_agents(double load_fraction, std::mt19937& rng) {
  std::vector<router::AgentState> agents;
  for (int id = 1; id <= kAgents; ++id) {
    router::AgentState a;
    a.id = id;
    a.presence = router::Presence::online;
    a.teams = {1 + id % 10};
    a.skills = {"lang:" + kLanguages[static_cast<std::size_t>(id % 5)], "lang:en"};
    if (id % 3 == 0) a.skills.insert("billing");
    if (id % 7 == 0) a.skills.insert("vip");
    a.capacity = {{"web", 3}, {"wechat_mp", 3}, {"email", 8}, {"app", 2}};
    for (const auto& [channel, n] : a.capacity) a.load[channel] = static_cast<int>(n * load_fraction);
    a.online_since = at(-7200);
    a.last_assigned_at = at(-std::uniform_int_distribution<int>(0, 3600)(rng));
    agents.push_back(std::move(a));
  }
  return agents;
}

std::vector<router::WaitingConversation> make_queue(bool sticky, std::mt19937& rng) {
  std::vector<router::WaitingConversation> queue;
  std::uniform_int_distribution<int> pick(0, 999);
  for (int id = 1; id <= kQueue; ++id) {
    router::WaitingConversation c;
    c.id = id;
    c.channel_type = kChannels[static_cast<std::size_t>(pick(rng) % 4)];
    c.priority = pick(rng) % 3;
    c.vip = pick(rng) < 50;
    c.attributes["language"] = kLanguages[static_cast<std::size_t>(pick(rng) % 5)] + "-XX";
    c.attributes["region"] = pick(rng) % 2 ? "APAC" : "EMEA";
    if (pick(rng) < 300) c.tags.insert("billing");
    if (sticky) c.sticky_agent = 1 + pick(rng);
    c.queued_at = at(-pick(rng));
    c.target_since = c.queued_at;
    queue.push_back(std::move(c));
  }
  return queue;
}

const char* const kRules = R"({
  "vip_boost": 100,
  "team_overflow_seconds": 300,
  "rules": [
    {"match": {"vip": true}, "strategy": "longest_idle",
     "targets": [{"skills": ["vip", "lang:{language|primary}"], "timeout_seconds": 30}, {"skills": ["vip"]}]},
    {"match": {"tags": "billing", "channel_type": ["web", "app"]},
     "targets": [{"team": "team-3", "skills": ["billing"], "timeout_seconds": 120}]},
    {"match": {"channel_type": "email"}, "strategy": "round_robin", "targets": [{"team": 5}, {}]},
    {"match": {"region": "APAC"},
     "targets": [{"skills": ["lang:{language|primary}"], "timeout_seconds": 600, "priority_boost": 1},
                 {"skills": ["lang:en"]}]},
    {"match": {"language": {"exists": true}}, "targets": [{"team": 1, "timeout_seconds": 60}]}
  ]
})";

void run(benchmark::State& state, const router::Rules& rules, double load_fraction, bool sticky) {
  std::mt19937 rng(42);
  const std::vector<router::AgentState> agents = make_agents(load_fraction, rng);
  const std::vector<router::WaitingConversation> queue = make_queue(sticky, rng);
  router::Router r(rules, teams());
  std::size_t assigned = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<router::AgentState> a = agents;
    std::vector<router::WaitingConversation> q = queue;
    state.ResumeTiming();
    router::Plan plan = r.route(a, q, at(0));
    assigned = plan.assignments.size();
    benchmark::DoNotOptimize(plan);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kQueue);
  state.counters["assigned"] = static_cast<double>(assigned);
}

void BM_Route_Default(benchmark::State& state) { run(state, router::Rules(), 0.0, false); }

void BM_Route_Rules(benchmark::State& state) {
  run(state, router::Rules::parse(omnigate::schema::parse_json(kRules)), 0.0, false);
}

void BM_Route_Saturated(benchmark::State& state) {
  run(state, router::Rules::parse(omnigate::schema::parse_json(kRules)), 1.0, false);
}

void BM_Route_Sticky(benchmark::State& state) {
  run(state,
      router::Rules::parse(omnigate::schema::parse_json(
          R"({"sticky": {"enabled": true, "wait_seconds": 60}, "offer": {"enabled": true}})")),
      0.5, true);
}

BENCHMARK(BM_Route_Default)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Route_Rules)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Route_Saturated)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Route_Sticky)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
