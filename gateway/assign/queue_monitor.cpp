#include "gateway/assign/queue_monitor.h"

#include <algorithm>

#include "gateway/logging.h"

namespace omnigate::gateway {
namespace {

namespace router = workbench::router;

bool team_visible(const std::optional<workbench::Viewer>& viewer, const std::optional<std::int64_t>& team) {
  if (!viewer || viewer->admin || !team) return true;
  return std::find(viewer->teams.begin(), viewer->teams.end(), *team) != viewer->teams.end();
}

}  // namespace

Json::Value queue_frame(std::int64_t conversation, const std::optional<router::QueueEstimate>& estimate) {
  Json::Value f(Json::objectValue);
  f["type"] = "queue";
  f["conversation"] = Json::Int64(conversation);
  f["queued"] = estimate.has_value();
  if (estimate) {
    f["position"] = estimate->position;
    f["estimated_wait_s"] = estimate->wait ? Json::Value(Json::Int64(estimate->wait->count())) : Json::Value();
  }
  return f;
}

QueueMonitor::QueueMonitor(store::AssignmentStore& store, realtime::Hub& hub, Options options)
    : store_(store), hub_(hub), options_(options) {}

QueueMonitor::~QueueMonitor() { stop(); }

void QueueMonitor::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
}

void QueueMonitor::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void QueueMonitor::poke() {
  {
    std::lock_guard lk(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

std::optional<router::QueueEstimate> QueueMonitor::estimate(std::int64_t conversation) const {
  std::lock_guard lk(mu_);
  auto it = estimates_.find(conversation);
  if (it == estimates_.end()) return std::nullopt;
  return it->second;
}

Json::Value QueueMonitor::queue_frame(std::int64_t conversation) const {
  return gateway::queue_frame(conversation, estimate(conversation));
}

int QueueMonitor::length() const {
  std::lock_guard lk(mu_);
  int n = 0;
  for (const auto& [team, c] : counts_) n += c.first;
  return n;
}

void QueueMonitor::loop() {
  for (;;) {
    {
      std::unique_lock lk(mu_);
      // Waits keep growing while nothing happens: refresh now and then.
      cv_.wait_for(lk, std::chrono::seconds(15), [&] { return stopping_ || poked_; });
      if (stopping_) return;
      poked_ = false;
    }
    try {
      refresh();
    } catch (const std::exception& e) {
      spdlog::warn("event=queue_monitor.refresh_failed error={}", q(e.what()));
    }
    std::this_thread::sleep_for(options_.interval);  // pokes meanwhile share the next refresh
  }
}

void QueueMonitor::refresh() {
  std::vector<router::WaitingConversation> queue;
  router::ThroughputByTeam throughput;
  std::vector<store::QueueCount> counts;
  schema::Timestamp now{};
  {
    auto conn = store_.pool().acquire();
    auto settings = store_.settings(*conn);
    if (rules_version_ != settings.updated_at) {
      try {
        router_.set_rules(router::Rules::parse(settings.rules));
      } catch (const std::exception&) {
        router_.set_rules(router::Rules());  // the assigner logs it
      }
      rules_version_ = settings.updated_at;
    }
    router_.set_teams(store_.teams(*conn));
    queue = store_.queue(*conn, options_.max_queue, false);
    throughput = store_.throughput(*conn);
    counts = store_.queue_counts(*conn);
    now = store_.now(*conn);
  }
  auto estimates = router_.estimate_all(queue, throughput, now);

  std::map<std::int64_t, router::QueueEstimate> fresh;
  for (const auto& e : estimates) fresh[e.conversation] = e;
  decltype(counts_) by_team;
  for (const auto& c : counts) by_team[c.team] = {c.length, c.oldest};

  std::map<std::int64_t, router::QueueEstimate> before;
  bool counts_changed;
  {
    std::lock_guard lk(mu_);
    before.swap(estimates_);
    estimates_ = fresh;
    counts_changed = by_team != counts_;
    counts_ = by_team;
  }
  for (const auto& [id, e] : fresh) {
    auto old = before.find(id);
    if (old == before.end() || !(old->second == e)) hub_.signal_visitors(id, gateway::queue_frame(id, e));
  }
  for (const auto& [id, e] : before)
    if (!fresh.count(id)) hub_.signal_visitors(id, gateway::queue_frame(id, std::nullopt));

  if (!counts_changed) return;
  hub_.publish_to_each_agent([&](const std::optional<workbench::Viewer>& viewer) -> std::optional<Json::Value> {
    int length = 0;
    std::optional<schema::Timestamp> oldest;
    for (const auto& [team, c] : by_team) {
      if (!team_visible(viewer, team)) continue;
      length += c.first;
      if (c.second && (!oldest || *c.second < *oldest)) oldest = c.second;
    }
    Json::Value f(Json::objectValue);
    f["type"] = "queue.updated";
    f["length"] = length;
    f["longest_wait_s"] =
        oldest ? Json::Int64(std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(now - *oldest).count()))
               : Json::Int64(0);
    return f;
  });
}

}  // namespace omnigate::gateway
