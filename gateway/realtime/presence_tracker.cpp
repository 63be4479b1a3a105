#include "gateway/realtime/presence_tracker.h"

#include <vector>

#include "adapters/common/crypto.h"
#include "gateway/logging.h"

namespace omnigate::gateway::realtime {

using Clock = std::chrono::steady_clock;

PresenceTracker::PresenceTracker(store::PresenceStore& store, Options options)
    : store_(store), options_(options), node_(crypto::random_token(12)) {}

PresenceTracker::~PresenceTracker() { stop(); }

void PresenceTracker::start() {
  std::lock_guard lk(mu_);
  if (running_) return;
  running_ = true;
  next_beat_ = Clock::now() + options_.heartbeat;
  thread_ = std::thread([this] { run(); });
}

void PresenceTracker::stop() {
  {
    std::lock_guard lk(mu_);
    if (!running_) return;
    running_ = false;
  }
  cv_.notify_all();
  thread_.join();
  try {
    for (auto agent : store_.forget_node(node_)) store_.settle(agent);
  } catch (const std::exception& e) {
    spdlog::warn("event=presence.stop_failed error={}", q(e.what()));
  }
}

void PresenceTracker::connected(std::int64_t agent) {
  {
    std::lock_guard lk(mu_);
    if (!running_) return;
    if (++sockets_[agent] != 1) return;
    changes_.emplace_back(Change::opened, agent);
  }
  cv_.notify_all();
}

void PresenceTracker::disconnected(std::int64_t agent) {
  {
    std::lock_guard lk(mu_);
    if (!running_) return;
    auto it = sockets_.find(agent);
    if (it == sockets_.end() || --it->second > 0) return;
    sockets_.erase(it);
    changes_.emplace_back(Change::closed, agent);
    settle_at_.emplace(Clock::now() + options_.grace, agent);
  }
  cv_.notify_all();
}

void PresenceTracker::run() {
  std::unique_lock lk(mu_);
  while (running_) {
    auto wake = next_beat_;
    if (!settle_at_.empty()) wake = std::min(wake, settle_at_.begin()->first);
    cv_.wait_until(lk, wake, [this] { return !running_ || !changes_.empty(); });
    if (!running_) break;
    // Changes go to the database in the order they happened, one at a
    // time and without the lock, so sessions never wait on PostgreSQL.
    while (!changes_.empty()) {
      auto [change, agent] = changes_.front();
      changes_.pop_front();
      lk.unlock();
      apply(change, agent);
      lk.lock();
    }
    lk.unlock();
    settle_due();
    if (Clock::now() >= next_beat_) beat();
    lk.lock();
  }
}

void PresenceTracker::apply(Change change, std::int64_t agent) {
  try {
    if (change == Change::opened) {
      if (store_.opened(node_, agent)) spdlog::info("event=presence.online agent={} by=socket", agent);
    } else {
      store_.closed(node_, agent);
    }
  } catch (const std::exception& e) {
    // The next heartbeat writes this node's rows again.
    spdlog::warn("event=presence.update_failed agent={} error={}", agent, q(e.what()));
  }
}

void PresenceTracker::settle_due() {
  std::vector<std::int64_t> due;
  {
    std::lock_guard lk(mu_);
    auto now = Clock::now();
    while (!settle_at_.empty() && settle_at_.begin()->first <= now) {
      std::int64_t agent = settle_at_.begin()->second;
      settle_at_.erase(settle_at_.begin());
      if (!sockets_.count(agent)) due.push_back(agent);  // not back on this node
    }
  }
  for (auto agent : due) {
    try {
      if (store_.settle(agent)) spdlog::info("event=presence.offline agent={} by=socket", agent);
    } catch (const std::exception& e) {
      spdlog::warn("event=presence.settle_failed agent={} error={}", agent, q(e.what()));
    }
  }
}

void PresenceTracker::beat() {
  std::vector<std::int64_t> here;
  {
    std::lock_guard lk(mu_);
    next_beat_ = Clock::now() + options_.heartbeat;
    for (const auto& [agent, n] : sockets_) here.push_back(agent);
  }
  try {
    store_.heartbeat(node_, here);
    for (auto agent : store_.sweep()) spdlog::info("event=presence.swept agent={}", agent);
  } catch (const std::exception& e) {
    spdlog::warn("event=presence.heartbeat_failed error={}", q(e.what()));
  }
}

}  // namespace omnigate::gateway::realtime
