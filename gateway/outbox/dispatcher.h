#pragma once
// Delivers queued outbound messages through their channel's adapter. Any
// number of dispatchers (this one, and those of other nodes) share one
// outbox: claims are leased rows taken with SKIP LOCKED. Outcomes: sent;
// retry with exponential backoff and jitter; failed with the channel's
// reason (or after too many attempts). Delivery is at least once: a node
// killed between the channel's answer and our record retries after the
// lease; webhook receivers dedupe on message.id.
//
// A pipeline, so that how many deliveries wait on channels at once is apart
// from how many transactions the database sees:
//   one claimer    claims due rows in batches, while fewer than
//                  2 x max(workers, claim_batch) are claimed and not yet
//                  recorded (a message that waited half its lease in this
//                  queue is not sent: the lease runs out and it is claimed
//                  afresh, so a slow channel cannot make a lease expire
//                  while its message is still being sent);
//   `workers`      threads each send one claimed message at a time (a
//                  channel's API takes tens of ms over the Internet, so
//                  throughput is about workers / latency);
//   one recorder   records outcomes as they come: every "sent" gathered
//                  since its last commit in one statement, retries and
//                  failures one by one.
// Under load each claim and each record carries many messages, as in a
// group commit; a lone reply is claimed, sent and recorded at once.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
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
    int workers = 32;  // deliveries in flight: each waits on a channel's API
    int claim_batch = 128;
    std::chrono::milliseconds idle_poll{500};        // when nothing woke us
    std::chrono::seconds lease{60};                  // longer than any adapter's timeout plus the queue's wait
    int max_attempts = 12;
    std::chrono::milliseconds backoff_base{2000};    // first retry after ~this
    std::chrono::milliseconds backoff_cap{10 * 60 * 1000};
  };
  // Called after every recorded outcome (metrics, realtime push later).
  using Observer = std::function<void(const adapters::Outbound&, const adapters::Delivery&)>;

  Dispatcher(store::OutboxStore& outbox, ChannelCache& channels, const adapters::Registry& adapters,
             Options options, Observer observer = {});
  ~Dispatcher();  // stop()

  void start();
  // Finishes the sends in hand and records them, gives back what was
  // claimed but not yet sent (due again at once, for any dispatcher), then
  // stops. A restart or a rolling deploy thus waits for one send per sender,
  // not for the whole claimed queue, and holds nothing back for a lease.
  void stop();
  // New work was queued on this node: claim now instead of at the next poll.
  void wake();

  // Delay before attempt `attempt + 1`: base * 2^(attempt-1), capped, with
  // "equal jitter" (half fixed, half random) so retries of a burst spread out.
  static std::chrono::milliseconds backoff(const Options& o, int attempt);

 private:
  struct Delivered {
    adapters::Outbound item;
    adapters::Delivery delivery;
  };
  void claim_loop();
  void deliver_loop();
  void record_loop();
  // Sends one claimed message through its channel; never throws.
  adapters::Delivery attempt(const adapters::Outbound& item) const;
  // Records a retry or a failure.
  void record(const adapters::Outbound& item, const adapters::Delivery& d);
  // Records sent messages in one commit (one by one if that fails).
  void record_sent(const std::vector<const Delivered*>& sent);

  store::OutboxStore& outbox_;
  ChannelCache& channels_;
  const adapters::Registry& adapters_;
  const Options options_;
  Observer observer_;

  std::mutex mu_;
  std::condition_variable claim_cv_;    // a wake, room in the pipeline, or stop
  std::condition_variable work_cv_;     // claimed messages to send, or stop
  std::condition_variable record_cv_;   // outcomes to record, or the senders are done
  bool stopping_ = false;
  std::uint64_t wakeups_ = 0;
  struct Claimed {
    adapters::Outbound item;
    std::chrono::steady_clock::time_point at;
  };
  std::deque<Claimed> claimed_;             // claimed, not yet being sent
  std::deque<Delivered> outcomes_;          // sent or tried, not yet recorded
  size_t in_flight_ = 0;                    // claimed and not yet recorded
  int senders_running_ = 0;
  std::thread claimer_;
  std::vector<std::thread> senders_;
  std::thread recorder_;
};

}  // namespace omnigate::gateway
