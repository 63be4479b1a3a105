#include "gateway/store/assignment_store.h"

#include "gateway/store/audit_store.h"
#include "gateway/store/columns.h"
#include "gateway/store/vip.h"
#include "schema/json.h"

namespace omnigate::store {
namespace {

namespace router = workbench::router;

// Names "the omnigate routing pass" among advisory locks (two-key form; the
// per-agent capacity locks use another first key).
constexpr const char* kPassLock = "SELECT pg_try_advisory_lock(1869504323, 0)";
constexpr const char* kPassUnlock = "SELECT pg_advisory_unlock(1869504323, 0)";

std::string attribute_text(const Json::Value& v) {
  if (v.isString()) return v.asString();
  if (v.isBool()) return v.asBool() ? "true" : "false";
  if (v.isNumeric()) return v.asString();
  return schema::write_json(v);
}

std::vector<std::int64_t> id_array(std::string_view literal) {
  std::vector<std::int64_t> out;
  for (const auto& id : db::parse_text_array(literal)) out.push_back(std::stoll(id));
  return out;
}

std::map<std::string, int> int_map(std::string_view json) {
  std::map<std::string, int> out;
  Json::Value j = schema::parse_json(json);
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it->isIntegral()) out[it.name()] = it->asInt();
  return out;
}

// Columns of `conversations c JOIN channels ch JOIN contacts ct` a waiting
// conversation is read from; the sticky agent is the conversation's own last
// agent (woken, reopened) or the one of the contact's latest resolved one.
constexpr const char* kWaitingColumns =
    "c.id, ch.type, c.priority, ct.attributes::text, c.tags, ct.tags, c.queued_at, c.team_id, "
    "coalesce(c.last_agent_id, (SELECT p.last_agent_id FROM conversations p "
    "  WHERE p.contact_id = c.contact_id AND p.status = 'resolved' AND p.last_agent_id IS NOT NULL "
    "  ORDER BY p.resolved_at DESC LIMIT 1)), "
    "c.declined_by, c.route_target, coalesce(c.route_target_since, c.queued_at, c.created_at)";

router::WaitingConversation waiting_from_row(const db::PgResult& r, int i) {
  router::WaitingConversation w;
  w.id = r.int64(i, 0);
  w.channel_type = r.str(i, 1);
  w.priority = static_cast<int>(r.int64(i, 2));
  Json::Value attributes = schema::parse_json(r.text(i, 3));
  for (auto it = attributes.begin(); it != attributes.end(); ++it) w.attributes[it.name()] = attribute_text(*it);
  for (auto& t : db::parse_text_array(r.text(i, 4))) w.tags.insert(std::move(t));
  for (auto& t : db::parse_text_array(r.text(i, 5))) w.tags.insert(std::move(t));
  w.vip = is_vip(attributes, w.tags);
  w.queued_at = timestamp_at(r, i, 6);
  if (!r.is_null(i, 7)) w.team = r.int64(i, 7);
  if (!r.is_null(i, 8)) w.sticky_agent = r.int64(i, 8);
  w.declined_by = id_array(r.text(i, 9));
  w.target_index = static_cast<int>(r.int64(i, 10));
  w.target_since = timestamp_at(r, i, 11);
  return w;
}

RoutingSettings settings_from_row(const db::PgResult& r) {
  RoutingSettings s;
  s.rules = schema::parse_json(r.text(0, 0));
  s.sla = schema::parse_json(r.text(0, 1));
  s.reopen_window_s = static_cast<int>(r.int64(0, 2));
  s.updated_at = timestamp_at(r, 0, 3);
  return s;
}

constexpr const char* kSettingsColumns = "rules::text, sla::text, reopen_window_s, updated_at";

}  // namespace

bool AssignmentStore::try_lock_pass(db::PgConnection& c) { return c.exec(kPassLock).boolean(0, 0); }

void AssignmentStore::unlock_pass(db::PgConnection& c) { c.exec(kPassUnlock); }

RoutingSettings AssignmentStore::settings(db::PgConnection& c) {
  return settings_from_row(
      c.exec_prepared("og_routing_settings", std::string("SELECT ") + kSettingsColumns + " FROM routing_rules", {}));
}

RoutingSettings AssignmentStore::settings() {
  auto conn = pool_.acquire();
  return settings(*conn);
}

RoutingSettings AssignmentStore::save_settings(const std::optional<Json::Value>& rules,
                                               const std::optional<Json::Value>& sla,
                                               std::optional<int> reopen_window_s, std::int64_t actor) {
  db::Param rules_text, sla_text, window;
  Json::Value detail(Json::objectValue);
  if (rules) {
    rules_text = schema::write_json(*rules);
    detail["rules"] = *rules;
  }
  if (sla) {
    sla_text = schema::write_json(*sla);
    detail["sla"] = *sla;
  }
  if (reopen_window_s) {
    window = std::to_string(*reopen_window_s);
    detail["reopen_window_s"] = *reopen_window_s;
  }
  auto conn = pool_.acquire();
  db::Transaction tx(*conn);
  auto saved = settings_from_row(conn->exec(
      std::string("UPDATE routing_rules SET rules = coalesce($1::jsonb, rules), sla = coalesce($2::jsonb, sla), "
                  "reopen_window_s = coalesce($3::integer, reopen_window_s), updated_at = now(), updated_by = $4 "
                  "RETURNING ") +
          kSettingsColumns,
      {rules_text, sla_text, window, std::to_string(actor)}));
  AuditStore::append(*conn, {actor, "routing_rules.updated", "routing_rules", std::nullopt, detail});
  tx.commit();
  return saved;
}

Housekeeping AssignmentStore::housekeeping(db::PgConnection& c) {
  Housekeeping h;
  h.woken = static_cast<int>(
      c.exec_prepared("og_wake_snoozed",
                      "UPDATE conversations SET status = 'queued', updated_at = now() "
                      "WHERE status = 'snoozed' AND snoozed_until <= now()",
                      {})
          .affected());
  h.offers_expired = static_cast<int>(
      c.exec_prepared("og_expire_offers",
                      "UPDATE conversations SET declined_by = array_append(declined_by, offer_agent_id), "
                      "offer_agent_id = NULL, offer_expires_at = NULL, updated_at = now() "
                      "WHERE status = 'queued' AND offer_agent_id IS NOT NULL AND offer_expires_at <= now()",
                      {})
          .affected());
  // One statement per status, each along its partial index.
  for (const char* status : {"queued", "assigned"}) {
    h.sla_breached += static_cast<int>(
        c.exec("UPDATE conversations SET first_response_breached = true "
               "WHERE status = $1 AND first_response_at IS NULL AND NOT first_response_breached "
               "AND first_response_due <= now()",
               {status})
            .affected());
  }
  for (const char* status : {"queued", "assigned", "snoozed"}) {
    h.sla_breached += static_cast<int>(
        c.exec("UPDATE conversations SET resolution_breached = true "
               "WHERE status = $1 AND NOT resolution_breached AND resolution_due <= now()",
               {status})
            .affected());
  }
  return h;
}

schema::Timestamp AssignmentStore::now(db::PgConnection& c) { return timestamp_at(c.exec("SELECT now()"), 0, 0); }

std::vector<router::Team> AssignmentStore::teams(db::PgConnection& c) {
  auto r = c.exec_prepared("og_routing_teams", "SELECT id, name, fallback_team_id FROM teams ORDER BY id", {});
  std::vector<router::Team> out;
  for (int i = 0; i < r.rows(); ++i) {
    router::Team t;
    t.id = r.int64(i, 0);
    t.name = r.str(i, 1);
    if (!r.is_null(i, 2)) t.fallback_team = r.int64(i, 2);
    out.push_back(std::move(t));
  }
  return out;
}

std::vector<router::AgentState> AssignmentStore::online_agents(db::PgConnection& c) {
  auto r = c.exec_prepared(
      "og_routing_agents",
      "SELECT a.id, a.skills, a.capacity::text, a.presence_since, "
      "  ARRAY(SELECT at.team_id FROM agent_teams at WHERE at.agent_id = a.id ORDER BY at.team_id), "
      "  (SELECT x.at FROM conversation_changes x WHERE x.assignee_id = a.id AND x.kind IN ('status', 'assignee') "
      "     AND x.status = 'assigned' ORDER BY x.at DESC LIMIT 1), "
      "  (SELECT coalesce(jsonb_object_agg(l.type, l.n), '{}') FROM ("
      "     SELECT o.type, sum(o.n) AS n FROM ("
      "       SELECT al.channel_type AS type, al.assigned AS n FROM agent_load al WHERE al.agent_id = a.id "
      "       UNION ALL "
      "       SELECT ch.type, 1 FROM conversations c JOIN channels ch ON ch.id = c.channel_id "
      "         WHERE c.status = 'queued' AND c.offer_agent_id = a.id AND c.offer_expires_at > now()) o "
      "     GROUP BY o.type) l)::text "
      "FROM agents a WHERE a.presence = 'online' AND NOT a.disabled ORDER BY a.id",
      {});
  std::vector<router::AgentState> out;
  for (int i = 0; i < r.rows(); ++i) {
    router::AgentState a;
    a.id = r.int64(i, 0);
    a.presence = schema::Presence::online;
    for (auto& skill : db::parse_text_array(r.text(i, 1))) a.skills.insert(std::move(skill));
    a.capacity = int_map(r.text(i, 2));
    a.online_since = timestamp_at(r, i, 3);
    a.teams = id_array(r.text(i, 4));
    if (!r.is_null(i, 5)) a.last_assigned_at = timestamp_at(r, i, 5);
    a.load = int_map(r.text(i, 6));
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<router::WaitingConversation> AssignmentStore::queue(db::PgConnection& c, int max_queue, bool routable) {
  auto q = c.exec_prepared(routable ? "og_routing_queue" : "og_waiting_queue",
                           std::string("SELECT ") + kWaitingColumns +
                               " FROM conversations c JOIN channels ch ON ch.id = c.channel_id "
                               "JOIN contacts ct ON ct.id = c.contact_id WHERE c.status = 'queued' " +
                               (routable ? "AND (c.offer_agent_id IS NULL OR c.offer_expires_at <= now()) " : "") +
                               "ORDER BY c.priority DESC, c.queued_at, c.id LIMIT $1",
                           {std::to_string(max_queue)});
  std::vector<router::WaitingConversation> out;
  for (int i = 0; i < q.rows(); ++i) out.push_back(waiting_from_row(q, i));
  return out;
}

std::vector<QueueCount> AssignmentStore::queue_counts(db::PgConnection& c) {
  auto r = c.exec_prepared("og_queue_counts",
                           "SELECT team_id, count(*), min(queued_at) FROM conversations WHERE status = 'queued' "
                           "GROUP BY team_id",
                           {});
  std::vector<QueueCount> out;
  for (int i = 0; i < r.rows(); ++i) {
    QueueCount q;
    if (!r.is_null(i, 0)) q.team = r.int64(i, 0);
    q.length = static_cast<int>(r.int64(i, 1));
    q.oldest = optional_timestamp_at(r, i, 2);
    out.push_back(q);
  }
  return out;
}

router::ThroughputByTeam AssignmentStore::throughput(db::PgConnection& c) {
  router::ThroughputByTeam t;
  // Taken from the queue over the last 15 minutes, per team (NULL: all).
  auto taken = c.exec_prepared(
      "og_throughput_taken",
      "SELECT team_id, count(*), GROUPING(team_id) FROM conversation_changes "
      "WHERE at > now() - interval '15 minutes' AND kind = 'status' AND status = 'assigned' AND old_status = 'queued' "
      "GROUP BY ROLLUP (team_id)",
      {});
  // How long agents kept the conversations they resolved in the last hour.
  auto handled = c.exec_prepared(
      "og_throughput_handled",
      "SELECT cv.team_id, extract(epoch FROM avg(x.at - cv.assigned_at))::bigint, GROUPING(cv.team_id) "
      "FROM conversation_changes x JOIN conversations cv ON cv.id = x.conversation_id "
      "WHERE x.at > now() - interval '1 hour' AND x.kind = 'status' AND x.status = 'resolved' "
      "AND cv.assigned_at IS NOT NULL AND x.at > cv.assigned_at GROUP BY ROLLUP (cv.team_id)",
      {});
  // Slots: the capacities of the online agents, all types together, per
  // team and (once each) in all.
  auto slots = c.exec_prepared(
      "og_throughput_slots",
      "WITH online AS (SELECT a.id, (SELECT coalesce(sum(value::integer), 0) FROM jsonb_each_text(a.capacity) "
      "                              WHERE value ~ '^[0-9]+$') AS n "
      "                FROM agents a WHERE a.presence = 'online' AND NOT a.disabled) "
      "SELECT at.team_id, sum(o.n)::bigint, 0 FROM online o JOIN agent_teams at ON at.agent_id = o.id "
      "GROUP BY at.team_id "
      "UNION ALL SELECT NULL, coalesce(sum(o.n), 0)::bigint, 1 FROM online o",
      {});
  // ROLLUP adds the grand total (GROUPING = 1); a NULL team inside a group
  // is the team-less conversations (or agents), which count towards it only.
  auto pick = [&t](const db::PgResult& r, int i) -> router::Throughput* {
    if (r.int64(i, 2) == 1) return &t.all;
    if (r.is_null(i, 0)) return nullptr;
    return &t.teams[r.int64(i, 0)];
  };
  for (int i = 0; i < taken.rows(); ++i)
    if (auto* x = pick(taken, i)) x->assignments_per_minute = static_cast<double>(taken.int64(i, 1)) / 15.0;
  for (int i = 0; i < handled.rows(); ++i)
    if (auto* x = pick(handled, i); x && !handled.is_null(i, 1))
      x->average_handle_time = router::Seconds(handled.int64(i, 1));
  for (int i = 0; i < slots.rows(); ++i)
    if (auto* x = pick(slots, i)) x->slots = static_cast<int>(slots.int64(i, 1));
  return t;
}

bool AssignmentStore::assign(db::PgConnection& c, std::int64_t conversation, std::int64_t agent,
                             std::optional<std::int64_t> team) {
  db::Param team_param;
  if (team) team_param = std::to_string(*team);
  auto r = c.exec_prepared(
      "og_assign",
      "UPDATE conversations c SET status = 'assigned', assignee_id = $2, team_id = coalesce(c.team_id, $3::bigint), "
      "updated_at = now() "
      "WHERE c.id = $1 AND c.status = 'queued' AND (c.offer_agent_id IS NULL OR c.offer_expires_at <= now()) "
      "AND EXISTS (SELECT 1 FROM agents a WHERE a.id = $2 AND a.presence = 'online' AND NOT a.disabled) "
      "AND og_agent_has_room($2, c.channel_id, c.id)",
      {std::to_string(conversation), std::to_string(agent), team_param});
  return r.affected() == 1;
}

bool AssignmentStore::offer(db::PgConnection& c, std::int64_t conversation, std::int64_t agent,
                            schema::Timestamp expires_at) {
  auto r = c.exec_prepared(
      "og_offer",
      "UPDATE conversations c SET offer_agent_id = $2, offer_expires_at = $3, updated_at = now() "
      "WHERE c.id = $1 AND c.status = 'queued' AND (c.offer_agent_id IS NULL OR c.offer_expires_at <= now()) "
      "AND NOT ($2 = ANY(c.declined_by)) "
      "AND EXISTS (SELECT 1 FROM agents a WHERE a.id = $2 AND a.presence = 'online' AND NOT a.disabled) "
      "AND og_agent_has_room($2, c.channel_id, c.id)",
      {std::to_string(conversation), std::to_string(agent), schema::format_timestamp(expires_at)});
  return r.affected() == 1;
}

void AssignmentStore::move_target(db::PgConnection& c, std::int64_t conversation, int target_index,
                                  schema::Timestamp since) {
  c.exec_prepared("og_move_target",
                  "UPDATE conversations SET route_target = $2, route_target_since = $3 "
                  "WHERE id = $1 AND status = 'queued'",
                  {std::to_string(conversation), std::to_string(target_index), schema::format_timestamp(since)});
}

std::optional<schema::Timestamp> AssignmentStore::next_timer(db::PgConnection& c) {
  auto r = c.exec_prepared(
      "og_next_timer",
      "SELECT least("
      " (SELECT min(snoozed_until) FROM conversations WHERE status = 'snoozed'),"
      " (SELECT min(offer_expires_at) FROM conversations WHERE status = 'queued' AND offer_agent_id IS NOT NULL),"
      " (SELECT min(first_response_due) FROM conversations WHERE status = 'queued' AND first_response_at IS NULL"
      "    AND NOT first_response_breached),"
      " (SELECT min(first_response_due) FROM conversations WHERE status = 'assigned' AND first_response_at IS NULL"
      "    AND NOT first_response_breached),"
      " (SELECT min(resolution_due) FROM conversations WHERE status = 'queued' AND NOT resolution_breached),"
      " (SELECT min(resolution_due) FROM conversations WHERE status = 'assigned' AND NOT resolution_breached),"
      " (SELECT min(resolution_due) FROM conversations WHERE status = 'snoozed' AND NOT resolution_breached))",
      {});
  return optional_timestamp_at(r, 0, 0);
}

}  // namespace omnigate::store
