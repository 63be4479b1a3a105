#include "gateway/outbox/dispatcher.h"

#include <random>

#include "gateway/db/pg.h"
#include "gateway/logging.h"

namespace omnigate::gateway {

Dispatcher::Dispatcher(store::OutboxStore& outbox, ChannelCache& channels,
                       const adapters::Registry& adapters, Options options, Observer observer)
    : outbox_(outbox), channels_(channels), adapters_(adapters), options_(options), observer_(std::move(observer)) {}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::start() {
  for (int i = 0; i < std::max(1, options_.workers); ++i) threads_.emplace_back([this] { run(); });
}

void Dispatcher::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void Dispatcher::wake() {
  {
    std::lock_guard lk(mu_);
    ++wakeups_;
  }
  cv_.notify_all();
}

std::chrono::milliseconds Dispatcher::backoff(const Options& o, int attempt) {
  double full = static_cast<double>(o.backoff_base.count());
  for (int i = 1; i < attempt && full < static_cast<double>(o.backoff_cap.count()); ++i) full *= 2;
  full = std::min(full, static_cast<double>(o.backoff_cap.count()));
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> half(0.0, full / 2);
  return std::chrono::milliseconds(static_cast<std::int64_t>(full / 2 + half(rng)));
}

void Dispatcher::run() {
  for (;;) {
    std::uint64_t seen;
    {
      std::lock_guard lk(mu_);
      if (stopping_) return;
      seen = wakeups_;
    }
    std::vector<adapters::Outbound> claimed;
    try {
      claimed = outbox_.claim(options_.claim_batch, options_.lease);
    } catch (const db::PgError& e) {
      spdlog::warn("event=outbox.claim_failed error={}", q(e.what()));
    }
    for (const auto& item : claimed) deliver(item);
    if (static_cast<int>(claimed.size()) == options_.claim_batch) continue;  // more may be due
    std::unique_lock lk(mu_);
    cv_.wait_for(lk, options_.idle_poll, [&] { return stopping_ || wakeups_ != seen; });
  }
}

void Dispatcher::deliver(const adapters::Outbound& item) {
  adapters::Delivery d;
  auto channel = channels_.find_by_id(item.message.channel_id);
  const adapters::Adapter* adapter = channel ? adapters_.find(channel->type) : nullptr;
  if (!channel) {
    d.outcome = adapters::Delivery::Outcome::failed;
    d.error = "the channel was deleted";
  } else if (!channel->enabled) {
    d.outcome = adapters::Delivery::Outcome::retry;
    d.error = "the channel is disabled; delivery resumes when it is enabled";
  } else if (!adapter) {
    d.outcome = adapters::Delivery::Outcome::failed;
    d.error = "this build cannot send on " + std::string(schema::to_string(channel->type)) + " channels";
  } else {
    try {
      d = adapter->deliver(*channel, item);
    } catch (const std::exception& e) {
      d.outcome = adapters::Delivery::Outcome::retry;
      d.error = std::string("adapter error: ") + e.what();
    }
  }
  if (d.outcome == adapters::Delivery::Outcome::retry && item.attempt >= options_.max_attempts) {
    d.outcome = adapters::Delivery::Outcome::failed;
    d.error = "gave up after " + std::to_string(item.attempt) + " attempts: " + d.error;
  }
  try {
    bool ours = true;
    switch (d.outcome) {
      case adapters::Delivery::Outcome::sent: ours = outbox_.mark_sent(item, d); break;
      case adapters::Delivery::Outcome::failed: ours = outbox_.mark_failed(item, d.error); break;
      case adapters::Delivery::Outcome::retry: {
        auto delay = std::max(backoff(options_, item.attempt),
                              std::chrono::duration_cast<std::chrono::milliseconds>(d.retry_after));
        ours = outbox_.schedule_retry(item, d.error, delay);
        break;
      }
    }
    if (!ours)
      spdlog::warn("event=outbox.lease_lost message={} attempt={}", item.message.id, item.attempt);
    if (d.outcome != adapters::Delivery::Outcome::sent)
      spdlog::info("event=outbox.not_sent message={} attempt={} outcome={} error={}", item.message.id, item.attempt,
                   d.outcome == adapters::Delivery::Outcome::retry ? "retry" : "failed", q(d.error));
  } catch (const db::PgError& e) {
    // The lease runs out and the row is retried: at least once, never lost.
    spdlog::warn("event=outbox.record_failed message={} error={}", item.message.id, q(e.what()));
  }
  if (observer_) observer_(item, d);
}

}  // namespace omnigate::gateway
