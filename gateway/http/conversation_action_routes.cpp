// What agents do to a conversation they may see (else 404). Each answers
// with the conversation after the change (the JSON of GET
// /v1/conversations/{id}); refusals: 409 invalid_state (its status does not
// allow it), 409 at_capacity (the agent has no free capacity for the
// channel type), 409 already_open (reopening would give the contact a second
// open conversation), 400 unknown_agent / unknown_team.
//   POST /v1/conversations/{id}/resolve
//   POST /v1/conversations/{id}/reopen          back to its last agent if they have room, else queued
//   POST /v1/conversations/{id}/transfer {"agent": id | "team": id|name, "note"?}
//        the note is stored as a private note (never sent to the customer)
//   POST /v1/conversations/{id}/snooze {"until": RFC 3339 | unix seconds}   until then or the customer's next message
//   POST /v1/conversations/{id}/accept          the caller's open offer
//   POST /v1/conversations/{id}/decline
//   POST /v1/conversations/{id}/claim           manual pick from the queue, capacity-checked
//   PATCH /v1/conversations/{id} {"priority"?, "tags"?, "team"?: id|name|null}
#include <future>

#include "gateway/http/api.h"
#include "gateway/http/conversation_access.h"
#include "gateway/http/fields.h"
#include "gateway/http/front.h"
#include "gateway/replies.h"
#include "gateway/store/lifecycle_store.h"
#include "gateway/store/team_store.h"
#include "schema/json.h"

namespace omnigate::gateway::http {
namespace {

constexpr auto kMaxSnooze = std::chrono::hours(24 * 366);

using Action = std::function<schema::Conversation(const schema::Agent& user, std::int64_t id, const Json::Value& body)>;

// The route shape every action shares: authenticate, check the caller may
// see the conversation, act, answer with the conversation as it is now.
void action(Front& front, const std::string& verb, Action act) {
  Services& s = front.services();
  front.route("POST", R"(/v1/conversations/(\d+)/)" + verb, "/v1/conversations/{id}/" + verb,
              [&s, act = std::move(act)](const httplib::Request& req, httplib::Response& res) {
                auto user = require_user(s, req);
                std::int64_t id = path_id(req, 1);
                visible_conversation(s, user, id);
                Json::Value body = req.body.empty() ? Json::Value(Json::objectValue) : json_body(req);
                act(user, id, body);
                send_json(res, 200, store::to_json(*s.conversations.view(id)));
              });
}

std::int64_t resolve_team(Services& s, const Json::Value& v, const char* field) {
  store::TeamRef ref = team_ref(v, field);
  auto conn = s.pool.acquire();
  return store::TeamStore::resolve(*conn, {ref}, std::nullopt, false).at(0);
}

schema::Timestamp snooze_until(const Json::Value& body) {
  const Json::Value& until = body["until"];
  std::optional<schema::Timestamp> t;
  if (until.isIntegral()) t = schema::Timestamp(std::chrono::seconds(until.asInt64()));
  else if (until.isString()) t = schema::parse_timestamp(until.asString());
  if (!t) throw ApiError(400, "bad_request", "until: expected an RFC 3339 time or unix seconds");
  auto now = schema::now();
  if (*t <= now) throw ApiError(400, "bad_request", "until: must be in the future");
  if (*t - now > kMaxSnooze) throw ApiError(400, "bad_request", "until: at most a year ahead");
  return *t;
}

// The transfer's note as a private note of the acting agent.
void store_note(Services& s, const schema::Agent& user, std::int64_t id, const std::string& note,
                const Json::Value& transfer) {
  Json::Value body(Json::objectValue);
  body["text"] = note;
  body["private"] = true;
  schema::Message m = agent_reply(user, *s.conversations.get(id), body);
  m.metadata = Json::Value(Json::objectValue);
  m.metadata["transfer"] = transfer;
  auto future = s.group_commit.submit({std::move(m)});
  if (future.wait_for(std::chrono::milliseconds(s.config.ingest_timeout_ms)) != std::future_status::ready)
    throw ApiError(503, "store_timeout", "transferred, but the note could not be stored in time");
  future.get();
}

}  // namespace

void add_conversation_action_routes(Front& front) {
  Services& s = front.services();

  action(front, "resolve", [&s](const schema::Agent& user, std::int64_t id, const Json::Value&) {
    return s.lifecycle.resolve(id, user.id);
  });
  action(front, "reopen", [&s](const schema::Agent& user, std::int64_t id, const Json::Value&) {
    return s.lifecycle.reopen(id, user.id);
  });
  action(front, "snooze", [&s](const schema::Agent& user, std::int64_t id, const Json::Value& body) {
    return s.lifecycle.snooze(id, snooze_until(body), user.id);
  });
  action(front, "accept", [&s](const schema::Agent& user, std::int64_t id, const Json::Value&) {
    return s.lifecycle.accept(id, user.id);
  });
  action(front, "decline", [&s](const schema::Agent& user, std::int64_t id, const Json::Value&) {
    return s.lifecycle.decline(id, user.id);
  });
  action(front, "claim", [&s](const schema::Agent& user, std::int64_t id, const Json::Value&) {
    return s.lifecycle.claim(id, user.id);
  });
  action(front, "transfer", [&s](const schema::Agent& user, std::int64_t id, const Json::Value& body) {
    const bool to_agent = body.isMember("agent"), to_team = body.isMember("team");
    if (to_agent == to_team) throw ApiError(400, "bad_request", "transfer: give either \"agent\" or \"team\"");
    std::string note = optional_string(body, "note", 1, 4000).value_or("");
    Json::Value transfer(Json::objectValue);
    schema::Conversation c;
    if (to_agent) {
      std::int64_t agent = required_id(body, "agent");
      c = s.lifecycle.transfer_to_agent(id, agent, user.id);
      transfer["agent"] = Json::Int64(agent);
    } else {
      std::int64_t team = resolve_team(s, body["team"], "team");
      c = s.lifecycle.transfer_to_team(id, team, user.id);
      transfer["team"] = Json::Int64(team);
    }
    if (!note.empty()) store_note(s, user, id, note, transfer);
    return c;
  });

  front.route("PATCH", R"(/v1/conversations/(\d+))", "/v1/conversations/{id}",
              [&s](const httplib::Request& req, httplib::Response& res) {
                auto user = require_user(s, req);
                std::int64_t id = path_id(req, 1);
                visible_conversation(s, user, id);
                Json::Value body = json_body(req);
                store::ConversationChanges changes;
                if (body.isMember("priority")) {
                  const Json::Value& p = body["priority"];
                  if (!p.isInt() || p.asInt() < -1000 || p.asInt() > 1000)
                    throw ApiError(400, "bad_request", "priority: expected an integer from -1000 to 1000");
                  changes.priority = p.asInt();
                }
                if (body.isMember("tags")) changes.tags = string_list(body["tags"], "tags", 50, 100);
                if (body.isMember("team")) {
                  if (body["team"].isNull()) changes.team = std::optional<std::int64_t>();
                  else changes.team = resolve_team(s, body["team"], "team");
                }
                if (changes.empty()) throw ApiError(400, "bad_request", "give priority, tags or team");
                s.lifecycle.update(id, changes, user.id);
                send_json(res, 200, store::to_json(*s.conversations.view(id)));
              });
}

}  // namespace omnigate::gateway::http
