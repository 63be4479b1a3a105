#pragma once
// The assigner's view of the database: snapshots for the router (online
// agents with their loads, the waiting conversations), the timers (snoozes,
// offers, SLA clocks) and the atomic steps that apply a routing plan.
//
// Every step takes the caller's connection: a routing pass holds one
// connection throughout (its advisory lock is a session lock on it).
// Applying a decision is a single guarded UPDATE whose capacity check
// (og_agent_has_room) and status check happen under the agent's lock in the
// same statement, so it is safe with any number of assigners on any number
// of nodes: a decision made on a stale snapshot simply does not apply.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <json/value.h>

#include "gateway/db/pool.h"
#include "workbench/router/types.h"

namespace omnigate::store {

struct RoutingSettings {
  Json::Value rules;  // the router's JSON (workbench/router/rules.h); {} = least-busy
  Json::Value sla;    // {"first_response_s", "resolution_s", "teams": {"<id>": {...}}}
  int reopen_window_s = 0;
  schema::Timestamp updated_at{};
};

struct Housekeeping {
  int woken = 0;             // snoozes that ran out, back in the queue
  int offers_expired = 0;    // counted as declined by their agent
  int sla_breached = 0;      // clocks that ran out (each notified once)
};

// Per team (none: team-less) what the queue holds now.
struct QueueCount {
  std::optional<std::int64_t> team;
  int length = 0;
  std::optional<schema::Timestamp> oldest;  // queued_at of the longest waiting
};

class AssignmentStore {
 public:
  explicit AssignmentStore(db::ConnectionPool& pool) : pool_(pool) {}
  db::ConnectionPool& pool() { return pool_; }

  // One routing pass at a time over all nodes (a session advisory lock).
  bool try_lock_pass(db::PgConnection& c);
  void unlock_pass(db::PgConnection& c);

  RoutingSettings settings(db::PgConnection& c);
  // Replaces the rules and/or SLA settings (admins; `actor` is recorded).
  RoutingSettings save_settings(const std::optional<Json::Value>& rules, const std::optional<Json::Value>& sla,
                                std::optional<int> reopen_window_s, std::int64_t actor);
  RoutingSettings settings();

  Housekeeping housekeeping(db::PgConnection& c);
  schema::Timestamp now(db::PgConnection& c);
  std::vector<workbench::router::Team> teams(db::PgConnection& c);
  // Online, enabled agents; load = assigned conversations plus live offers.
  std::vector<workbench::router::AgentState> online_agents(db::PgConnection& c);
  // Waiting conversations in queue order; `routable`: without those holding
  // a live offer (the router must not decide them again).
  std::vector<workbench::router::WaitingConversation> queue(db::PgConnection& c, int max_queue, bool routable);
  std::vector<QueueCount> queue_counts(db::PgConnection& c);
  workbench::router::ThroughputByTeam throughput(db::PgConnection& c);

  // Each true when applied: the conversation was still waiting without a
  // live offer, the agent still online with room for its channel type.
  bool assign(db::PgConnection& c, std::int64_t conversation, std::int64_t agent, std::optional<std::int64_t> team);
  bool offer(db::PgConnection& c, std::int64_t conversation, std::int64_t agent, schema::Timestamp expires_at);
  void move_target(db::PgConnection& c, std::int64_t conversation, int target_index, schema::Timestamp since);

  // The earliest moment a timer runs out: a snooze, an offer, an SLA clock.
  std::optional<schema::Timestamp> next_timer(db::PgConnection& c);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace omnigate::store
