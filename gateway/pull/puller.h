#pragma once
// Runs the follow-up pulls that ingests ask for (adapters::PullRequest, e.g.
// WeCom 微信客服's kf/sync_msg after a kf_msg_or_event callback), in the
// background, after the channel has had its answer.
//
// One worker thread works a queue. For each pull it takes a connection from
// the pool and holds a PostgreSQL advisory lock for the channel on it
// (pg_try_advisory_lock: several nodes never pull one channel at once; a busy
// lock puts the pull back in the queue for a little later), reads the
// cursor from channel_state, and calls the adapter's pull page by page: each
// page's messages go through the group commit and are waited for (durable)
// and only then is that page's next cursor saved. A crash therefore re-reads
// a page, never skips one; idempotency on external_id makes the re-read
// harmless. A pull already queued for the same channel and cursor takes the
// newer request's params instead of queueing twice.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/registry.h"
#include "gateway/db/pool.h"
#include "gateway/store/group_commit.h"
#include "schema/channel.h"

namespace omnigate::gateway {

class Puller {
 public:
  struct Options {
    // A pull whose channel is locked by another node is tried again after
    // lock_retry, at most lock_attempts times.
    std::chrono::milliseconds lock_retry{200};
    int lock_attempts = 50;
    // How long to wait for one page to be durable.
    std::chrono::milliseconds commit_timeout{30000};
  };

  Puller(db::ConnectionPool& pool, store::GroupCommit& group_commit, const adapters::Registry& adapters,
         Options options);
  Puller(db::ConnectionPool& pool, store::GroupCommit& group_commit, const adapters::Registry& adapters)
      : Puller(pool, group_commit, adapters, Options{}) {}
  ~Puller();  // stop()
  Puller(const Puller&) = delete;
  Puller& operator=(const Puller&) = delete;

  // Queues the pulls; returns at once. Ignored after stop().
  void submit(const schema::Channel& channel, std::vector<adapters::PullRequest> pulls);
  // Finishes the pull in progress (not the queued ones: their channels will
  // call back again, and their cursors are safe), then stops the worker.
  void stop();

  struct Stats {
    std::uint64_t pulls = 0;     // completed
    std::uint64_t failures = 0;  // ended by an error
    std::uint64_t messages = 0;  // handed to the store (duplicates included)
  };
  Stats stats() const;

 private:
  struct Job {
    schema::Channel channel;
    adapters::PullRequest request;
    int attempts = 0;
    std::chrono::steady_clock::time_point not_before;
  };
  void worker_loop();
  // false: the channel is locked elsewhere, try again later.
  bool run(const Job& job);

  db::ConnectionPool& pool_;
  store::GroupCommit& group_commit_;
  const adapters::Registry& adapters_;
  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  Stats stats_;
  std::thread worker_;
};

}  // namespace omnigate::gateway
