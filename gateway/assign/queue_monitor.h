#pragma once
// What the queue looks like, told to the people waiting on it. On each
// change (ConversationFeed pokes it; pokes within `interval` share one
// refresh) it reads the queue once and:
//  * sends each agent socket {"type":"queue.updated","length":N,
//    "longest_wait_s":S} counting the waiting conversations that agent may
//    see, when those numbers changed;
//  * sends each visitor socket following a waiting conversation
//    {"type":"queue","conversation":id,"queued":true,"position":P,
//    "estimated_wait_s":W|null} when its position or wait changed, and
//    {"type":"queue","conversation":id,"queued":false} once it leaves the
//    queue (the router's estimate: workbench/router/router.h);
//  * keeps the latest estimates for GET /v1/app/sync and the visitor hello.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "gateway/realtime/hub.h"
#include "gateway/store/assignment_store.h"
#include "workbench/router/router.h"

namespace omnigate::gateway {

class QueueMonitor {
 public:
  struct Options {
    std::chrono::milliseconds interval{300};
    int max_queue = 10000;
  };

  QueueMonitor(store::AssignmentStore& store, realtime::Hub& hub, Options options);
  ~QueueMonitor();  // stop()
  void start();
  void stop();
  void poke();
  // The latest estimate of a waiting conversation; none once it is not waiting.
  std::optional<workbench::router::QueueEstimate> estimate(std::int64_t conversation) const;
  // The frame sent to visitors for it (queued true/false).
  Json::Value queue_frame(std::int64_t conversation) const;
  // Waiting conversations at the last refresh (all teams).
  int length() const;

 private:
  void loop();
  void refresh();

  store::AssignmentStore& store_;
  realtime::Hub& hub_;
  const Options options_;
  workbench::router::Router router_;  // for estimates only: which conversations compete for the same agents
  std::optional<schema::Timestamp> rules_version_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool poked_ = true;
  bool stopping_ = false;
  std::map<std::int64_t, workbench::router::QueueEstimate> estimates_;
  std::map<std::optional<std::int64_t>, std::pair<int, std::optional<schema::Timestamp>>> counts_;  // by team
  std::thread thread_;
};

// {"type":"queue",...} for one conversation (estimate none: left the queue).
Json::Value queue_frame(std::int64_t conversation, const std::optional<workbench::router::QueueEstimate>& estimate);

}  // namespace omnigate::gateway
