#pragma once
// What the router reads and what it decides. The router is pure logic: the
// caller (the assigner in the gateway) loads these snapshots from the store,
// passes the current time in, and applies the resulting Plan with its own
// atomic capacity check, so a plan that lost a race is simply retried.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "schema/agent.h"
#include "schema/time.h"

namespace omnigate::workbench::router {

using TimePoint = schema::Timestamp;
using Presence = schema::Presence;
using Seconds = std::chrono::seconds;

// The capacity key that covers every channel type an agent has no entry for.
inline constexpr std::string_view kDefaultCapacityKey = "default";

struct AgentState {
  std::int64_t id = 0;
  Presence presence = Presence::offline;  // only online agents ever get work
  std::vector<std::int64_t> teams;
  std::set<std::string> skills;
  std::map<std::string, int> capacity;  // channel type -> open conversations allowed; see capacity_for
  std::map<std::string, int> load;      // channel type -> open now (assigned + offered); route() adds to it
  TimePoint last_assigned_at{};         // route() sets it to `now` for each assignment
  TimePoint online_since{};             // longest-idle counts idleness from here at the earliest
};

// capacity[channel_type], else capacity["default"], else 0.
int capacity_for(const AgentState& agent, std::string_view channel_type);
int load_for(const AgentState& agent, std::string_view channel_type);

struct WaitingConversation {
  std::int64_t id = 0;
  std::string channel_type;  // schema/channel.cpp wire names: wechat_mp, wecom, email, web, app, webhook
  int priority = 0;          // higher is more urgent
  bool vip = false;
  // Contact attributes (language, region, VIP tier...) as text; rules match on
  // them and skill templates ("lang:{language}") read them.
  std::map<std::string, std::string> attributes;
  std::set<std::string> tags;  // conversation and contact tags; rules match them with the "tags" key
  TimePoint queued_at{};
  // Set when a person put the conversation in a team (a transfer): it is then
  // routed to that team only, overflowing along the team's fallbacks after
  // Rules::team_overflow_seconds; the rules are not consulted.
  std::optional<std::int64_t> team;
  std::optional<std::int64_t> sticky_agent;  // the contact's last agent
  std::vector<std::int64_t> declined_by;     // agents whose offer expired or who declined; never chosen again
  // Where the conversation stands in its target list, kept by the caller from
  // Plan::target_moves (new conversations: 0 and queued_at). An index past the
  // end of the list (the rules changed) is read as the last target.
  int target_index = 0;
  TimePoint target_since{};
};

struct Team {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::int64_t> fallback_team;  // overflow goes here

  bool operator==(const Team&) const = default;
};

struct Assignment {
  std::int64_t conversation = 0;
  std::int64_t agent = 0;
  bool offer = false;                          // the agent must accept before offer_expires_at
  std::optional<TimePoint> offer_expires_at;   // set when offer is true
  int target_index = 0;                        // the target that found the agent
  std::optional<std::int64_t> team;            // that target's team, if it has one
  bool sticky = false;                         // chosen as the contact's last agent
};

// A conversation whose current target changed (a timeout ran out, overflow to
// a fallback team, or a target skipped for having nobody online). The caller
// stores target_index and target_since; route() also updates the queue entry.
struct TargetMove {
  std::int64_t conversation = 0;
  int target_index = 0;
  TimePoint since{};
};

struct Plan {
  std::vector<Assignment> assignments;
  std::vector<TargetMove> target_moves;
  // The earliest future moment at which a timer changes the outcome (a target
  // timeout, the end of a sticky wait, an offer expiring). The caller runs
  // route() again then, or earlier when agents or the queue change.
  std::optional<TimePoint> next_wakeup;
};

// What the caller measured recently (e.g. over the last 15 minutes) for one
// queue, used to tell a waiting customer how long it may take.
struct Throughput {
  double assignments_per_minute = 0;  // conversations taken from the queue per minute
  Seconds average_handle_time{0};     // how long an agent keeps a conversation
  int slots = 0;                      // total capacity of the agents serving the queue
};

// Throughput for the whole queue and, where known, per team.
struct ThroughputByTeam {
  Throughput all;
  std::map<std::int64_t, Throughput> teams;

  const Throughput& for_team(std::optional<std::int64_t> team) const;
};

struct QueueEstimate {
  std::int64_t conversation = 0;
  int position = 0;  // 1 = next to be served among the conversations competing for the same agents
  std::optional<Seconds> wait;  // unknown when there is no throughput history

  bool operator==(const QueueEstimate&) const = default;
};

}  // namespace omnigate::workbench::router
