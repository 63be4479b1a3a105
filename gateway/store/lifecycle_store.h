#pragma once
// What agents do to a conversation: resolve, reopen, transfer, snooze,
// accept or decline an offer, claim from the queue, change priority, tags or
// team. Each is one guarded UPDATE in a transaction that names the acting
// agent (conversation_changes.actor_id); the triggers of
// schema/migrations/010_queue.sql keep the bookkeeping (timestamps, SLA
// clocks, routing state) and check capacity, so a change that would put an
// agent over capacity fails as a whole.
//
// Refusals are StoreError: not_found ("not_found"), conflict
// ("invalid_state" when the conversation's status does not allow it,
// "at_capacity" when the agent has no free capacity for the channel type,
// "already_open" when reopening would give the contact a second open
// conversation of the thread), invalid ("unknown_team", "unknown_agent").
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/db/pool.h"
#include "schema/conversation.h"

namespace omnigate::store {

struct ConversationChanges {
  std::optional<int> priority;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::optional<std::int64_t>> team;  // set: move to this team (inner empty: no team)

  bool empty() const { return !priority && !tags && !team; }
};

class LifecycleStore {
 public:
  explicit LifecycleStore(db::ConnectionPool& pool) : pool_(pool) {}

  // Any open conversation; resolving a resolved one changes nothing.
  schema::Conversation resolve(std::int64_t id, std::int64_t actor);
  // A resolved conversation goes back to its last assignee when they have
  // room for it, else to the queue.
  schema::Conversation reopen(std::int64_t id, std::int64_t actor);
  // To an agent (assigned to them at once, capacity permitting) or to a
  // team (back in the queue, routed within that team).
  schema::Conversation transfer_to_agent(std::int64_t id, std::int64_t agent, std::int64_t actor);
  schema::Conversation transfer_to_team(std::int64_t id, std::int64_t team, std::int64_t actor);
  // Until `until`, or until the customer writes; then back to the queue.
  schema::Conversation snooze(std::int64_t id, schema::Timestamp until, std::int64_t actor);
  // The agent's open offer of a queued conversation.
  schema::Conversation accept(std::int64_t id, std::int64_t agent);
  schema::Conversation decline(std::int64_t id, std::int64_t agent);
  // Manual pick from the queue (not a conversation offered to someone else).
  schema::Conversation claim(std::int64_t id, std::int64_t agent);
  schema::Conversation update(std::int64_t id, const ConversationChanges& changes, std::int64_t actor);

 private:
  // Runs the guarded UPDATE (its RETURNING lists the conversation's columns);
  // with no row changed, explains why. `unchanged_ok`: a conversation already
  // in the wanted state (`done_status`) is returned as it is.
  schema::Conversation change(std::int64_t id, std::int64_t actor, const std::string& sql, const db::Params& params,
                              const char* action, std::optional<const char*> done_status = std::nullopt);
  db::ConnectionPool& pool_;
};

}  // namespace omnigate::store
