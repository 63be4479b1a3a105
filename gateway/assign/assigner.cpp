#include "gateway/assign/assigner.h"

#include <algorithm>

#include "gateway/logging.h"
#include "schema/channel.h"

namespace omnigate::gateway {
namespace {

namespace router = workbench::router;
using Clock = std::chrono::steady_clock;

constexpr schema::ChannelType kChannelTypes[] = {schema::ChannelType::wechat, schema::ChannelType::wecom,
                                                 schema::ChannelType::email,  schema::ChannelType::web,
                                                 schema::ChannelType::app,    schema::ChannelType::webhook};

// Whether any agent could take anything at all: without free capacity a
// pass has nothing to decide, and skips reading the queue.
bool any_room(const std::vector<router::AgentState>& agents) {
  for (const auto& a : agents)
    for (auto type : kChannelTypes)
      if (router::load_for(a, schema::to_string(type)) < router::capacity_for(a, schema::to_string(type))) return true;
  return false;
}

std::optional<schema::Timestamp> earliest(std::optional<schema::Timestamp> a, std::optional<schema::Timestamp> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

}  // namespace

Assigner::Assigner(store::AssignmentStore& store, Options options, PassObserver observer)
    : store_(store), options_(options), observer_(std::move(observer)) {}

Assigner::~Assigner() { stop(); }

void Assigner::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
}

void Assigner::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Assigner::poke() {
  {
    std::lock_guard lk(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

void Assigner::load_rules(const store::RoutingSettings& settings) {
  if (rules_version_ == settings.updated_at) return;
  try {
    router_.set_rules(router::Rules::parse(settings.rules));
  } catch (const std::exception& e) {
    // The admin API validates before saving; a bad row (edited by hand)
    // must not stop routing, so the defaults apply until it is fixed.
    spdlog::error("event=assigner.bad_rules error={}", q(e.what()));
    router_.set_rules(router::Rules());
  }
  rules_version_ = settings.updated_at;
}

Assigner::PassResult Assigner::run_pass() {
  std::lock_guard pass(pass_mu_);
  PassResult result;
  auto conn = store_.pool().acquire();
  db::PgConnection& c = *conn;
  if (options_.exclusive && !store_.try_lock_pass(c)) return result;
  result.ran = true;
  try {
    result.housekeeping = store_.housekeeping(c);
    load_rules(store_.settings(c));
    std::vector<router::AgentState> agents = store_.online_agents(c);
    if (any_room(agents)) {
      router_.set_teams(store_.teams(c));
      std::vector<router::WaitingConversation> queue = store_.queue(c, options_.max_queue, true);
      schema::Timestamp now = store_.now(c);
      router::Plan plan = router_.route(agents, queue, now);
      apply(c, plan, result);
      result.next_wakeup = plan.next_wakeup;
    }
    result.next_wakeup = earliest(result.next_wakeup, store_.next_timer(c));
  } catch (...) {
    if (options_.exclusive && c.healthy()) {
      try {
        store_.unlock_pass(c);
      } catch (...) {
      }
    }
    throw;
  }
  if (options_.exclusive) store_.unlock_pass(c);
  return result;
}

void Assigner::apply(db::PgConnection& c, const router::Plan& plan, PassResult& result) {
  // Capacity checks take a per-agent lock held to commit: every assigner
  // takes them in agent order, so two batches never wait on each other in
  // a circle.
  std::vector<router::Assignment> decisions = plan.assignments;
  std::stable_sort(decisions.begin(), decisions.end(),
                   [](const router::Assignment& a, const router::Assignment& b) { return a.agent < b.agent; });
  // In a few transactions rather than one per decision: a commit (its WAL
  // flush) per assignment would make a large queue slow to drain.
  const size_t chunk = static_cast<size_t>(std::max(1, options_.assignments_per_commit));
  for (size_t at = 0; at < decisions.size(); at += chunk) {
    const size_t end = std::min(decisions.size(), at + chunk);
    int assigned = 0, offered = 0, lost = 0;
    try {
      db::Transaction tx(c);
      for (size_t i = at; i < end; ++i) {
        const auto& a = decisions[i];
        bool applied = a.offer && a.offer_expires_at ? store_.offer(c, a.conversation, a.agent, *a.offer_expires_at)
                                                     : store_.assign(c, a.conversation, a.agent, a.team);
        if (!applied) ++lost;
        else if (a.offer) ++offered;
        else ++assigned;
      }
      tx.commit();
    } catch (const db::PgError& e) {
      // A deadlock or a lost connection rolled the chunk back: its
      // conversations are still waiting and are routed again.
      if (!e.transient()) throw;
      spdlog::info("event=assigner.chunk_retried sqlstate={} error={}", e.sqlstate(), q(e.what()));
      result.lost += static_cast<int>(end - at);
      continue;
    }
    result.assigned += assigned;
    result.offered += offered;
    result.lost += lost;
  }
  if (!plan.target_moves.empty()) {
    db::Transaction tx(c);
    for (const auto& m : plan.target_moves) store_.move_target(c, m.conversation, m.target_index, m.since);
    tx.commit();
    result.moved = static_cast<int>(plan.target_moves.size());
  }
}

void Assigner::loop() {
  auto last_pass = Clock::now() - options_.min_interval;
  std::optional<Clock::time_point> timer;  // the next timer that needs a pass
  int lost_streak = 0;
  for (;;) {
    {
      std::unique_lock lk(mu_);
      auto deadline = Clock::now() + options_.recheck;
      if (timer) deadline = std::min(deadline, *timer);
      cv_.wait_until(lk, deadline, [&] { return stopping_ || poked_; });
      if (stopping_) return;
      poked_ = false;
    }
    // Pokes closer together than min_interval share one pass.
    auto since = Clock::now() - last_pass;
    if (since < options_.min_interval) std::this_thread::sleep_for(options_.min_interval - since);
    {
      std::lock_guard lk(mu_);
      if (stopping_) return;
      poked_ = false;
    }
    last_pass = Clock::now();
    timer.reset();
    try {
      PassResult r = run_pass();
      if (observer_) observer_(r);
      if (!r.ran) {
        timer = Clock::now() + options_.busy_retry;  // another node is routing; its snapshot may predate ours
        continue;
      }
      if (r.assigned || r.offered || r.lost || r.housekeeping.woken || r.housekeeping.offers_expired)
        spdlog::debug("event=assigner.pass assigned={} offered={} lost={} moved={} woken={} offers_expired={}",
                      r.assigned, r.offered, r.lost, r.moved, r.housekeeping.woken, r.housekeeping.offers_expired);
      // Decisions that lost a race are routed again on a fresh snapshot;
      // a few times in a row at most, so a disagreement between snapshot
      // and store can never spin.
      lost_streak = r.lost > 0 ? lost_streak + 1 : 0;
      if (r.lost > 0 && lost_streak <= 3) timer = Clock::now() + options_.min_interval;
      if (r.next_wakeup) {
        auto in = std::chrono::duration_cast<Clock::duration>(*r.next_wakeup - schema::now());
        auto at = Clock::now() + std::max(Clock::duration(std::chrono::milliseconds(5)), in);
        timer = timer ? std::min(*timer, at) : at;
      }
    } catch (const std::exception& e) {
      spdlog::warn("event=assigner.pass_failed error={}", q(e.what()));
      timer = Clock::now() + std::chrono::seconds(1);
    }
  }
}

}  // namespace omnigate::gateway
