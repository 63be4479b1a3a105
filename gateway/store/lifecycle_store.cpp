#include "gateway/store/lifecycle_store.h"

#include "gateway/store/conversation_view.h"
#include "gateway/store/store_error.h"
#include "schema/json.h"

namespace omnigate::store {
namespace {

constexpr const char* kOpen = "c.status <> 'resolved'";

std::string returning() { return std::string(" RETURNING ") + kConversationColumns; }

}  // namespace

schema::Conversation LifecycleStore::change(std::int64_t id, std::int64_t actor, const std::string& sql,
                                            const db::Params& params, const char* action,
                                            std::optional<const char*> done_status) {
  auto conn = pool_.acquire();
  try {
    // The actor is an integer we format, never input text.
    db::Transaction tx(*conn, "SET LOCAL omnigate.actor = '" + std::to_string(actor) + "'");
    auto r = conn->exec(sql + returning(), params);
    if (r.rows() == 1) {
      auto c = conversation_from_row(r, 0);
      tx.commit();
      return c;
    }
    auto now = conn->exec(std::string("SELECT ") + kConversationColumns + " FROM conversations c WHERE c.id = $1",
                          {std::to_string(id)});
    if (now.rows() == 0) throw StoreError(StoreError::Kind::not_found, "not_found", "no such conversation");
    auto current = conversation_from_row(now, 0);
    if (done_status && schema::to_string(current.status) == *done_status) return current;
    throw StoreError(StoreError::Kind::conflict, "invalid_state",
                     std::string("cannot ") + action + " a conversation that is " +
                         std::string(schema::to_string(current.status)));
  } catch (const db::PgError& e) {
    if (e.sqlstate() == "OGCAP")
      throw StoreError(StoreError::Kind::conflict, "at_capacity",
                       "the agent has no free capacity for this channel type");
    if (e.sqlstate() == "23505")
      throw StoreError(StoreError::Kind::conflict, "already_open",
                       "the contact already has an open conversation of this thread");
    // The only foreign key a change can break: a team deleted meanwhile.
    if (e.sqlstate() == "23503") throw StoreError(StoreError::Kind::invalid, "unknown_team", "team: no such team");
    throw;
  }
}

schema::Conversation LifecycleStore::resolve(std::int64_t id, std::int64_t actor) {
  return change(id, actor,
                std::string("UPDATE conversations c SET status = 'resolved', updated_at = now() "
                            "WHERE c.id = $1 AND ") + kOpen,
                {std::to_string(id)}, "resolve", "resolved");
}

schema::Conversation LifecycleStore::reopen(std::int64_t id, std::int64_t actor) {
  // The capacity check takes the agent's lock; the trigger checks again
  // under the same lock, so the CASE and the write agree.
  return change(id, actor,
                "UPDATE conversations c SET updated_at = now(), status = CASE "
                "  WHEN c.assignee_id IS NOT NULL AND og_agent_has_room(c.assignee_id, c.channel_id, c.id) "
                "  THEN 'assigned' ELSE 'queued' END "
                "WHERE c.id = $1 AND c.status = 'resolved'",
                {std::to_string(id)}, "reopen");
}

schema::Conversation LifecycleStore::transfer_to_agent(std::int64_t id, std::int64_t agent, std::int64_t actor) {
  {
    auto conn = pool_.acquire();
    if (conn->exec("SELECT 1 FROM agents WHERE id = $1 AND NOT disabled", {std::to_string(agent)}).rows() == 0)
      throw StoreError(StoreError::Kind::invalid, "unknown_agent", "agent: no such (enabled) user");
  }
  return change(id, actor,
                std::string("UPDATE conversations c SET status = 'assigned', assignee_id = $2, updated_at = now() "
                            "WHERE c.id = $1 AND ") + kOpen +
                    " AND (c.status <> 'assigned' OR c.assignee_id IS DISTINCT FROM $2)",
                {std::to_string(id), std::to_string(agent)}, "transfer");
}

schema::Conversation LifecycleStore::transfer_to_team(std::int64_t id, std::int64_t team, std::int64_t actor) {
  {
    auto conn = pool_.acquire();
    if (conn->exec("SELECT 1 FROM teams WHERE id = $1", {std::to_string(team)}).rows() == 0)
      throw StoreError(StoreError::Kind::invalid, "unknown_team", "team: no such team");
  }
  return change(id, actor,
                std::string("UPDATE conversations c SET team_id = $2, status = 'queued', updated_at = now() "
                            "WHERE c.id = $1 AND ") + kOpen,
                {std::to_string(id), std::to_string(team)}, "transfer");
}

schema::Conversation LifecycleStore::snooze(std::int64_t id, schema::Timestamp until, std::int64_t actor) {
  return change(id, actor,
                std::string("UPDATE conversations c SET status = 'snoozed', snoozed_until = $2, updated_at = now() "
                            "WHERE c.id = $1 AND ") + kOpen,
                {std::to_string(id), schema::format_timestamp(until)}, "snooze");
}

schema::Conversation LifecycleStore::accept(std::int64_t id, std::int64_t agent) {
  return change(id, agent,
                "UPDATE conversations c SET status = 'assigned', assignee_id = $2, updated_at = now() "
                "WHERE c.id = $1 AND c.status = 'queued' AND c.offer_agent_id = $2 AND c.offer_expires_at > now()",
                {std::to_string(id), std::to_string(agent)}, "accept the offer of");
}

schema::Conversation LifecycleStore::decline(std::int64_t id, std::int64_t agent) {
  return change(id, agent,
                "UPDATE conversations c SET offer_agent_id = NULL, offer_expires_at = NULL, "
                "declined_by = array_append(c.declined_by, $2::bigint), updated_at = now() "
                "WHERE c.id = $1 AND c.status = 'queued' AND c.offer_agent_id = $2",
                {std::to_string(id), std::to_string(agent)}, "decline the offer of");
}

schema::Conversation LifecycleStore::claim(std::int64_t id, std::int64_t agent) {
  return change(id, agent,
                "UPDATE conversations c SET status = 'assigned', assignee_id = $2, updated_at = now() "
                "WHERE c.id = $1 AND c.status = 'queued' "
                "AND (c.offer_agent_id IS NULL OR c.offer_agent_id = $2 OR c.offer_expires_at <= now())",
                {std::to_string(id), std::to_string(agent)}, "claim");
}

schema::Conversation LifecycleStore::update(std::int64_t id, const ConversationChanges& changes, std::int64_t actor) {
  if (changes.team && *changes.team) {
    auto conn = pool_.acquire();
    if (conn->exec("SELECT 1 FROM teams WHERE id = $1", {std::to_string(**changes.team)}).rows() == 0)
      throw StoreError(StoreError::Kind::invalid, "unknown_team", "team: no such team");
  }
  db::Param priority, tags, team;
  if (changes.priority) priority = std::to_string(*changes.priority);
  if (changes.tags) tags = db::array_literal(*changes.tags);
  if (changes.team && *changes.team) team = std::to_string(**changes.team);
  return change(id, actor,
                "UPDATE conversations c SET priority = coalesce($2::integer, c.priority), "
                "tags = coalesce($3::text[], c.tags), "
                "team_id = CASE WHEN $4::boolean THEN $5::bigint ELSE c.team_id END, updated_at = now() "
                "WHERE c.id = $1",
                {std::to_string(id), priority, tags, changes.team ? "true" : "false", team}, "change");
}

}  // namespace omnigate::store
