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
  {
    std::lock_guard lk(mu_);
    stopping_ = false;
    senders_running_ = std::max(1, options_.workers);
  }
  claimer_ = std::thread([this] { claim_loop(); });
  for (int i = 0; i < std::max(1, options_.workers); ++i) senders_.emplace_back([this] { deliver_loop(); });
  recorder_ = std::thread([this] { record_loop(); });
}

void Dispatcher::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  claim_cv_.notify_all();
  work_cv_.notify_all();
  record_cv_.notify_all();
  // In order: nothing more is claimed, the sends in hand finish, what was
  // claimed but not sent goes back to the outbox, what was sent is recorded.
  if (claimer_.joinable()) claimer_.join();
  for (auto& t : senders_)
    if (t.joinable()) t.join();
  senders_.clear();
  std::deque<Claimed> unsent;
  {
    std::lock_guard lk(mu_);
    unsent.swap(claimed_);
    in_flight_ -= unsent.size();
  }
  if (!unsent.empty()) {
    std::vector<const adapters::Outbound*> items;
    for (const Claimed& c : unsent) items.push_back(&c.item);
    try {
      int released = outbox_.release(items);
      spdlog::info("event=outbox.released messages={} of={}", released, items.size());
    } catch (const db::PgError& e) {
      // Their lease runs out and they are claimed again: late, never lost.
      spdlog::warn("event=outbox.release_failed messages={} error={}", items.size(), q(e.what()));
    }
  }
  if (recorder_.joinable()) recorder_.join();
}

void Dispatcher::wake() {
  {
    std::lock_guard lk(mu_);
    ++wakeups_;
  }
  claim_cv_.notify_one();
}

std::chrono::milliseconds Dispatcher::backoff(const Options& o, int attempt) {
  double full = static_cast<double>(o.backoff_base.count());
  for (int i = 1; i < attempt && full < static_cast<double>(o.backoff_cap.count()); ++i) full *= 2;
  full = std::min(full, static_cast<double>(o.backoff_cap.count()));
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> half(0.0, full / 2);
  return std::chrono::milliseconds(static_cast<std::int64_t>(full / 2 + half(rng)));
}

void Dispatcher::claim_loop() {
  // Enough claimed ahead that a sender finishing one message finds the next.
  const size_t capacity = 2 * static_cast<size_t>(std::max({1, options_.workers, options_.claim_batch}));
  std::uint64_t seen = 0;
  bool more = true;  // the last claim was full, or none yet: look again at once
  for (;;) {
    size_t room;
    {
      std::unique_lock lk(mu_);
      if (!more) claim_cv_.wait_for(lk, options_.idle_poll, [&] { return stopping_ || wakeups_ != seen; });
      claim_cv_.wait(lk, [&] { return stopping_ || in_flight_ < capacity; });
      if (stopping_) return;
      seen = wakeups_;
      room = std::min(capacity - in_flight_, static_cast<size_t>(std::max(1, options_.claim_batch)));
    }
    std::vector<adapters::Outbound> claimed;
    try {
      claimed = outbox_.claim(static_cast<int>(room), options_.lease);
    } catch (const db::PgError& e) {
      spdlog::warn("event=outbox.claim_failed error={}", q(e.what()));
    }
    more = claimed.size() == room;
    if (claimed.empty()) continue;
    {
      std::lock_guard lk(mu_);
      in_flight_ += claimed.size();
      auto now = std::chrono::steady_clock::now();
      for (auto& item : claimed) claimed_.push_back({std::move(item), now});
    }
    work_cv_.notify_all();
  }
}

void Dispatcher::deliver_loop() {
  for (;;) {
    adapters::Outbound item;
    {
      std::unique_lock lk(mu_);
      // At stop, what is not yet being sent stays for stop() to give back.
      work_cv_.wait(lk, [&] { return stopping_ || !claimed_.empty(); });
      if (stopping_) {
        if (--senders_running_ == 0) record_cv_.notify_all();
        return;
      }
      Claimed next = std::move(claimed_.front());
      claimed_.pop_front();
      if (std::chrono::steady_clock::now() - next.at > options_.lease / 2) {
        // Sent now, it could still be going out when the lease ends and
        // another dispatcher sends it too: leave it to that claim.
        spdlog::warn("event=outbox.claim_too_old message={} attempt={}", next.item.message.id, next.item.attempt);
        --in_flight_;
        claim_cv_.notify_one();
        continue;
      }
      item = std::move(next.item);
    }
    adapters::Delivery d = attempt(item);
    {
      std::lock_guard lk(mu_);
      outcomes_.push_back({std::move(item), std::move(d)});
    }
    record_cv_.notify_one();
  }
}

void Dispatcher::record_loop() {
  for (;;) {
    std::deque<Delivered> batch;
    {
      std::unique_lock lk(mu_);
      record_cv_.wait(lk, [&] { return !outcomes_.empty() || senders_running_ == 0; });
      if (outcomes_.empty()) return;  // the senders are done and all is recorded
      batch.swap(outcomes_);
    }
    std::vector<const Delivered*> sent;
    for (const Delivered& o : batch) {
      if (o.delivery.outcome == adapters::Delivery::Outcome::sent)
        sent.push_back(&o);
      else
        record(o.item, o.delivery);
    }
    record_sent(sent);
    {
      std::lock_guard lk(mu_);
      in_flight_ -= batch.size();
    }
    claim_cv_.notify_one();
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

void Dispatcher::record_sent(const std::vector<const Delivered*>& sent) {
  if (sent.empty()) return;
  std::vector<store::OutboxStore::Sent> rows;
  for (const Delivered* s : sent) rows.push_back({&s->item, s->delivery.external_id});
  std::set<std::int64_t> lease_lost;
  try {
    std::vector<std::int64_t> ids = outbox_.mark_all_sent(rows);
    std::set<std::int64_t> marked(ids.begin(), ids.end());
    for (const Delivered* s : sent)
      if (!marked.count(s->item.message.id)) lease_lost.insert(s->item.message.id);
  } catch (const db::PgError& e) {
    // One bad row (an external id taken meanwhile) must not cost the
    // others their record: one by one, each failing alone.
    spdlog::warn("event=outbox.batch_record_failed messages={} error={}", sent.size(), q(e.what()));
    for (const Delivered* s : sent) {
      try {
        if (!outbox_.mark_sent(s->item, s->delivery)) lease_lost.insert(s->item.message.id);
      } catch (const db::PgError& one) {
        // The lease runs out and the row is retried: at least once, never lost.
        spdlog::warn("event=outbox.record_failed message={} error={}", s->item.message.id, q(one.what()));
      }
    }
  }
  for (const Delivered* s : sent) {
    if (lease_lost.count(s->item.message.id))
      spdlog::warn("event=outbox.lease_lost message={} attempt={}", s->item.message.id, s->item.attempt);
    if (observer_) observer_(s->item, s->delivery);
  }
}

}  // namespace omnigate::gateway
