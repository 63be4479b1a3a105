#pragma once
// The assigner: a thread per gateway node that feeds the router
// (workbench/router) snapshots of the online agents and the waiting
// conversations and applies its decisions through the store's atomic steps.
//
// It runs a routing pass when poked (a conversation queued, capacity freed,
// an agent changed: ConversationFeed pokes it on every such notification,
// from any node), when a timer runs out (the router's next_wakeup: offers,
// target timeouts, sticky waits, overflow; the store's: snoozes, SLA
// clocks), and at least every `recheck` as a safety net.
//
// Multi-node: with `exclusive` only one node routes at a time (a session
// advisory lock); the others retry shortly after. Correctness never depends
// on it: every decision is applied by one guarded UPDATE that checks the
// conversation is still waiting and the agent still has room, under the
// agent's lock, so two assigners racing on the same snapshot can never put
// an agent over capacity or assign a conversation twice (a lost race is
// routed again on the next pass).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "gateway/store/assignment_store.h"
#include "workbench/router/router.h"

namespace omnigate::gateway {

class Assigner {
 public:
  struct Options {
    bool exclusive = true;                             // one routing pass at a time over all nodes
    int max_queue = 5000;                              // waiting conversations read per pass
    std::chrono::milliseconds min_interval{20};        // pokes closer than this share a pass
    std::chrono::milliseconds busy_retry{100};         // another node holds the pass: try again
    std::chrono::milliseconds recheck{30000};          // a pass at least this often
    int assignments_per_commit = 100;
  };

  struct PassResult;
  using PassObserver = std::function<void(const PassResult&)>;  // metrics

  struct PassResult {
    bool ran = false;      // false: another node was routing (exclusive)
    int assigned = 0;
    int offered = 0;
    int lost = 0;          // decisions the store refused (stale snapshot)
    int moved = 0;         // target moves stored
    store::Housekeeping housekeeping;
    std::optional<schema::Timestamp> next_wakeup;  // database clock
  };

  Assigner(store::AssignmentStore& store, Options options, PassObserver observer = {});
  ~Assigner();  // stop()
  Assigner(const Assigner&) = delete;
  Assigner& operator=(const Assigner&) = delete;

  void start();
  void stop();
  // Something changed: run a pass soon. Cheap, from any thread.
  void poke();
  // One pass now on the caller's thread (the loop thread calls it too; one
  // pass at a time per Assigner).
  PassResult run_pass();

 private:
  void loop();
  void load_rules(const store::RoutingSettings& settings);
  void apply(db::PgConnection& c, const workbench::router::Plan& plan, PassResult& result);

  store::AssignmentStore& store_;
  const Options options_;
  PassObserver observer_;

  std::mutex pass_mu_;  // guards router_ and rules_version_
  workbench::router::Router router_;
  std::optional<schema::Timestamp> rules_version_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool poked_ = true;  // the first pass runs at start
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace omnigate::gateway
