#pragma once
// Delivers queued outbound messages through their channel's adapter. Any
// number of dispatchers (threads here, and other nodes) share one outbox:
// claims are leased rows taken with SKIP LOCKED. Outcomes: sent; retry with
// exponential backoff and jitter; failed with the channel's reason (or after
// too many attempts). Delivery is at least once: a node killed between the
// channel's answer and our record retries after the lease; webhook receivers
// dedupe on message.id. Retries and failures are recorded at once; "sent" is
// recorded for the claimed batch together (one commit), within
// mark_window of the first unrecorded one, so a fast channel is not held
// back by a commit per message.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/registry.h"
#include "gateway/channel_cache.h"
#include "gateway/store/outbox_store.h"

namespace omnigate::gateway {

class Dispatcher {
 public:
  struct Options {
    int workers = 32;  // deliveries wait on the channel's API: tens of ms each over the Internet
    int claim_batch = 32;
    std::chrono::milliseconds idle_poll{500};        // when nothing woke us
    std::chrono::seconds lease{60};                  // longer than any adapter's timeout
    int max_attempts = 12;
    std::chrono::milliseconds backoff_base{2000};    // first retry after ~this
    std::chrono::milliseconds backoff_cap{10 * 60 * 1000};
    // Longest a delivered message waits for its "sent" record (and the
    // agent for the tick): bounds the batch when a channel is slow.
    std::chrono::milliseconds mark_window{20};
  };
  // Called after every recorded outcome (metrics, realtime push later).
  using Observer = std::function<void(const adapters::Outbound&, const adapters::Delivery&)>;

  Dispatcher(store::OutboxStore& outbox, ChannelCache& channels, const adapters::Registry& adapters,
             Options options, Observer observer = {});
  ~Dispatcher();  // stop()

  void start();
  // Finishes the deliveries in hand, then stops. Unclaimed rows stay queued.
  void stop();
  // New work was queued on this node: look now instead of at the next poll.
  void wake();

  // Delay before attempt `attempt + 1`: base * 2^(attempt-1), capped, with
  // "equal jitter" (half fixed, half random) so retries of a burst spread out.
  static std::chrono::milliseconds backoff(const Options& o, int attempt);

 private:
  struct Delivered {
    const adapters::Outbound* item;
    adapters::Delivery delivery;
  };
  void run(bool polls);
  // Sends one claimed message through its channel; never throws.
  adapters::Delivery attempt(const adapters::Outbound& item) const;
  // Records a retry or a failure at once.
  void record(const adapters::Outbound& item, const adapters::Delivery& d);
  // Records a batch of sent messages in one commit (one by one if that fails).
  void record_sent(std::vector<Delivered>& sent);

  store::OutboxStore& outbox_;
  ChannelCache& channels_;
  const adapters::Registry& adapters_;
  const Options options_;
  Observer observer_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::uint64_t wakeups_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace omnigate::gateway
