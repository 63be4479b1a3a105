#pragma once
// Presence by socket liveness on this node. Sessions report agent sockets
// opening and closing (from I/O threads, never blocking); one thread of its
// own does the database work through PresenceStore:
//  - an agent's first socket here records it (and sets them online unless
//    they chose away/offline themselves);
//  - their last socket closing sets them offline after a grace period, and
//    only if no socket on any node came back meanwhile, so a page reload or
//    a short network drop does not flap;
//  - a heartbeat keeps this node's rows live and sweeps other nodes' stale
//    ones (a node that died cannot settle its agents itself).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "gateway/store/presence_store.h"

namespace omnigate::gateway::realtime {

class PresenceTracker {
 public:
  struct Options {
    std::chrono::milliseconds grace{std::chrono::seconds(15)};
    std::chrono::milliseconds heartbeat{std::chrono::seconds(20)};
  };

  PresenceTracker(store::PresenceStore& store, Options options);
  ~PresenceTracker();
  PresenceTracker(const PresenceTracker&) = delete;
  PresenceTracker& operator=(const PresenceTracker&) = delete;

  void start();
  // Forgets this node's sockets and settles their agents at once (they
  // reconnect to another node, which sets them online again).
  void stop();

  // Thread-safe and quick; ignored once stopped.
  void connected(std::int64_t agent);
  void disconnected(std::int64_t agent);

  const std::string& node() const { return node_; }

 private:
  enum class Change { opened, closed };
  void run();
  void apply(Change change, std::int64_t agent);
  void settle_due();
  void beat();

  store::PresenceStore& store_;
  const Options options_;
  const std::string node_;  // random per process: rows of a dead node never match a live one

  std::mutex mu_;
  std::condition_variable cv_;
  bool running_ = false;
  std::unordered_map<std::int64_t, int> sockets_;  // agent -> open sockets on this node
  std::deque<std::pair<Change, std::int64_t>> changes_;
  std::multimap<std::chrono::steady_clock::time_point, std::int64_t> settle_at_;
  std::chrono::steady_clock::time_point next_beat_{};
  std::thread thread_;
};

}  // namespace omnigate::gateway::realtime
