#include "gateway/outbox/dispatcher.h"

#include <random>
#include <set>

#include "gateway/db/pg.h"
#include "gateway/logging.h"

namespace omnigate::gateway {

Dispatcher::Dispatcher(store::OutboxStore& outbox, ChannelCache& channels,
                       const adapters::Registry& adapters, Options options, Observer observer)
    : outbox_(outbox), channels_(channels), adapters_(adapters), options_(options), observer_(std::move(observer)) {}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::start() {
  for (int i = 0; i < std::max(1, options_.workers); ++i) threads_.emplace_back([this, i] { run(i == 0); });
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
  // One worker per wake: a queued reply needs one claim, and a worker that
  // claims a full batch wakes the next (see run), so a backlog fans out to
  // every worker without each new reply costing every worker a query.
  cv_.notify_one();
}

std::chrono::milliseconds Dispatcher::backoff(const Options& o, int attempt) {
  double full = static_cast<double>(o.backoff_base.count());
  for (int i = 1; i < attempt && full < static_cast<double>(o.backoff_cap.count()); ++i) full *= 2;
  full = std::min(full, static_cast<double>(o.backoff_cap.count()));
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> half(0.0, full / 2);
  return std::chrono::milliseconds(static_cast<std::int64_t>(full / 2 + half(rng)));
}

void Dispatcher::run(bool polls) {
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
    const bool full = static_cast<int>(claimed.size()) == options_.claim_batch;
    if (full) wake();  // more may be due: another worker claims them meanwhile
    std::vector<Delivered> sent;
    auto first_unrecorded = std::chrono::steady_clock::now();
    for (const auto& item : claimed) {
      adapters::Delivery d = attempt(item);
      if (d.outcome != adapters::Delivery::Outcome::sent) {
        record(item, d);
        continue;
      }
      if (sent.empty()) first_unrecorded = std::chrono::steady_clock::now();
      sent.push_back({&item, std::move(d)});
      if (std::chrono::steady_clock::now() - first_unrecorded >= options_.mark_window) record_sent(sent);
    }
    record_sent(sent);
    if (full) continue;  // more may be due
    std::unique_lock lk(mu_);
    auto woken = [&] { return stopping_ || wakeups_ != seen; };
    // One worker polls for what no wake announces (retries coming due,
    // replies queued by another node that stopped); the others sleep until
    // woken, so idle workers cost the database nothing.
    if (polls)
      cv_.wait_for(lk, options_.idle_poll, woken);
    else
      cv_.wait(lk, woken);
  }
}

adapters::Delivery Dispatcher::attempt(const adapters::Outbound& item) const {
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
  return d;
}

void Dispatcher::record(const adapters::Outbound& item, const adapters::Delivery& d) {
  try {
    bool ours = true;
    if (d.outcome == adapters::Delivery::Outcome::failed) {
      ours = outbox_.mark_failed(item, d.error);
    } else {
      auto delay = std::max(backoff(options_, item.attempt),
                            std::chrono::duration_cast<std::chrono::milliseconds>(d.retry_after));
      ours = outbox_.schedule_retry(item, d.error, delay);
    }
    if (!ours) spdlog::warn("event=outbox.lease_lost message={} attempt={}", item.message.id, item.attempt);
    spdlog::info("event=outbox.not_sent message={} attempt={} outcome={} error={}", item.message.id, item.attempt,
                 d.outcome == adapters::Delivery::Outcome::retry ? "retry" : "failed", q(d.error));
  } catch (const db::PgError& e) {
    // The lease runs out and the row is retried: at least once, never lost.
    spdlog::warn("event=outbox.record_failed message={} error={}", item.message.id, q(e.what()));
  }
  if (observer_) observer_(item, d);
}

void Dispatcher::record_sent(std::vector<Delivered>& sent) {
  if (sent.empty()) return;
  std::vector<store::OutboxStore::Sent> rows;
  for (const Delivered& s : sent) rows.push_back({s.item, s.delivery.external_id});
  std::set<std::int64_t> lease_lost;
  try {
    std::vector<std::int64_t> ids = outbox_.mark_all_sent(rows);
    std::set<std::int64_t> marked(ids.begin(), ids.end());
    for (const Delivered& s : sent)
      if (!marked.count(s.item->message.id)) lease_lost.insert(s.item->message.id);
  } catch (const db::PgError& e) {
    // One bad row (an external id taken meanwhile) must not cost the
    // others their record: one by one, each failing alone.
    spdlog::warn("event=outbox.batch_record_failed messages={} error={}", sent.size(), q(e.what()));
    for (const Delivered& s : sent) {
      try {
        if (!outbox_.mark_sent(*s.item, s.delivery)) lease_lost.insert(s.item->message.id);
      } catch (const db::PgError& one) {
        // The lease runs out and the row is retried: at least once, never lost.
        spdlog::warn("event=outbox.record_failed message={} error={}", s.item->message.id, q(one.what()));
      }
    }
  }
  for (const Delivered& s : sent) {
    if (lease_lost.count(s.item->message.id))
      spdlog::warn("event=outbox.lease_lost message={} attempt={}", s.item->message.id, s.item->attempt);
    if (observer_) observer_(*s.item, s.delivery);
  }
  sent.clear();
}

}  // namespace omnigate::gateway
