// The queue, the assigner and the conversation lifecycle against a real
// gateway and PostgreSQL: default least-busy routing over online agents with
// room, capacity freed by a resolve, transfers with notes, snooze and wake,
// resolve and reopen, offers, SLA breaches, permissions, realtime events,
// visitors' queue positions, and two assigners racing over one database.
#include <gtest/gtest.h>

#include <barrier>
#include <set>
#include <thread>

#include "gateway/assign/assigner.h"
#include "gateway/db/pg.h"
#include "gateway/db/pool.h"
#include "gateway/store/assignment_store.h"
#include "schema/json.h"
#include "tests/support/test_database.h"
#include "tests/support/test_gateway.h"
#include "tests/support/ws_client.h"

using omnigate::testing::parse;
using omnigate::testing::TestGateway;
using omnigate::testing::WsClient;
namespace db = omnigate::db;
namespace gw = omnigate::gateway;
namespace store = omnigate::store;

namespace {

using namespace std::chrono_literals;

httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

struct Agent {
  std::int64_t id = 0;
  std::string token;
};

// One gateway with a webhook channel, and helpers to staff it and to let
// customers write.
class Desk {
 public:
  Desk() : admin_(gw_.admin_token()), channel_(gw_.create_channel("webhook", "shop")) {}

  TestGateway& gateway() { return gw_; }
  const std::string& admin() const { return admin_; }

  // A user with this capacity (JSON object) and teams, logged in, and online
  // unless told otherwise.
  Agent agent(const std::string& login, const std::string& capacity, const std::vector<std::string>& teams = {},
              bool online = true) {
    Json::Value body;
    body["login"] = login;
    body["password"] = "password-" + login;
    body["role"] = "agent";
    body["capacity"] = parse(capacity);
    body["teams"] = Json::Value(Json::arrayValue);
    for (const auto& t : teams) body["teams"].append(t);
    auto r = gw_.client().Post("/v1/admin/users", bearer(admin_), omnigate::schema::write_json(body), "application/json");
    EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
    Agent a;
    a.id = parse(r->body)["id"].asInt64();
    Json::Value login_body;
    login_body["login"] = login;
    login_body["password"] = "password-" + login;
    auto l = gw_.client().Post("/v1/auth/login", omnigate::schema::write_json(login_body), "application/json");
    EXPECT_TRUE(l && l->status == 200);
    a.token = parse(l->body)["token"].asString();
    if (online) set_presence(a, "online");
    return a;
  }

  void set_presence(const Agent& a, const std::string& status) {
    auto r = gw_.client().Put("/v1/me/presence", bearer(a.token), R"({"status":")" + status + R"("})", "application/json");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  }

  std::int64_t team_id(const std::string& name) {
    auto r = gw_.client().Get("/v1/admin/teams", bearer(admin_));
    Json::Value teams = parse(r->body);
    for (const auto& t : teams["items"])
      if (t["name"].asString() == name) return t["id"].asInt64();
    ADD_FAILURE() << "no team " << name;
    return 0;
  }

  // A customer's message; returns its conversation id.
  std::int64_t customer_writes(const std::string& contact, const std::string& text) {
    Json::Value m;
    m["external_id"] = contact + "-" + std::to_string(++sent_);
    m["contact"]["id"] = contact;
    m["contact"]["name"] = "Customer " + contact;
    m["text"] = text;
    auto r = gw_.post_signed(channel_, omnigate::schema::write_json(m));
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    return parse(r->body)["messages"][0]["conversation_id"].asInt64();
  }

  httplib::Result get(const std::string& token, const std::string& path) { return gw_.client().Get(path, bearer(token)); }
  httplib::Result post(const std::string& token, const std::string& path, const std::string& body = "{}") {
    return gw_.client().Post(path, bearer(token), body, "application/json");
  }

  Json::Value conversation(std::int64_t id) {
    auto r = get(admin_, "/v1/conversations/" + std::to_string(id));
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    return parse(r->body);
  }

  // Polls until the conversation matches, or fails after `timeout`.
  Json::Value wait_for(std::int64_t id, const std::function<bool(const Json::Value&)>& ok,
                       std::chrono::milliseconds timeout = 10s) {
    auto until = std::chrono::steady_clock::now() + timeout;
    Json::Value c;
    while (std::chrono::steady_clock::now() < until) {
      c = conversation(id);
      if (ok(c)) return c;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "conversation " << id << " never got there: " << omnigate::schema::write_json(c);
    return c;
  }
  Json::Value wait_status(std::int64_t id, const std::string& status) {
    return wait_for(id, [&](const Json::Value& c) { return c["status"].asString() == status; });
  }

  db::PgConnection sql() { return db::PgConnection(gw_.db()); }

 private:
  TestGateway gw_;
  std::string admin_;
  Json::Value channel_;
  int sent_ = 0;
};

bool assigned_to(const Json::Value& c, const Agent& a) {
  return c["status"].asString() == "assigned" && c["assignee"].isIntegral() && c["assignee"].asInt64() == a.id;
}

std::string path(std::int64_t conversation, const std::string& action = "") {
  return "/v1/conversations/" + std::to_string(conversation) + (action.empty() ? "" : "/" + action);
}

TEST(Queue, NewConversationsWaitQueuedWhenNobodyIsOnline) {
  Desk desk;
  std::int64_t c = desk.customer_writes("c1", "hello?");
  auto conv = desk.conversation(c);
  EXPECT_EQ(conv["status"].asString(), "queued");
  EXPECT_TRUE(conv["assignee"].isNull());
  EXPECT_TRUE(conv["team"].isNull());
  EXPECT_TRUE(conv.isMember("queued_at"));
  EXPECT_GE(conv["waiting_s"].asInt64(), 0);
  EXPECT_EQ(conv["contact"]["name"].asString(), "Customer c1");
  EXPECT_EQ(conv["channel"]["type"].asString(), "webhook");
  EXPECT_EQ(conv["last_message"]["preview"].asString(), "hello?");
}

TEST(Queue, DefaultIsLeastBusyOverOnlineAgentsWithRoomAndTheRestWaits) {
  Desk desk;
  Agent a = desk.agent("ann", R"({"webhook":2})");
  Agent b = desk.agent("bob", R"({"webhook":2})");
  Agent offline = desk.agent("olga", R"({"webhook":5})", {}, false);
  Agent mail_only = desk.agent("mia", R"({"email":5})");
  std::vector<std::int64_t> conversations;
  for (int i = 0; i < 5; ++i) conversations.push_back(desk.customer_writes("c" + std::to_string(i), "hi"));

  // Four are taken, two each (least-busy alternates), one waits.
  std::map<std::int64_t, int> per_agent;
  std::int64_t waiting = 0;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    per_agent.clear();
    waiting = 0;
    for (auto c : conversations) {
      auto conv = desk.conversation(c);
      if (conv["status"].asString() == "assigned") ++per_agent[conv["assignee"].asInt64()];
      else waiting = c;
    }
    if (per_agent[a.id] + per_agent[b.id] == 4 || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(per_agent[a.id], 2);
  EXPECT_EQ(per_agent[b.id], 2);
  EXPECT_EQ(per_agent.count(offline.id), 0u);
  EXPECT_EQ(per_agent.count(mail_only.id), 0u);
  ASSERT_NE(waiting, 0);
  std::this_thread::sleep_for(300ms);  // still nobody has room
  EXPECT_EQ(desk.conversation(waiting)["status"].asString(), "queued");

  // Capacity freed: the waiting one goes to whoever resolved.
  std::int64_t of_ann = 0;
  for (auto c : conversations)
    if (c != waiting && desk.conversation(c)["assignee"].asInt64() == a.id) of_ann = c;
  auto resolved = desk.post(a.token, path(of_ann, "resolve"));
  ASSERT_TRUE(resolved);
  ASSERT_EQ(resolved->status, 200) << resolved->body;
  EXPECT_EQ(parse(resolved->body)["status"].asString(), "resolved");
  EXPECT_TRUE(parse(resolved->body).isMember("resolved_at"));
  desk.wait_for(waiting, [&](const Json::Value& c) { return assigned_to(c, a); });

  // The offline agent comes online and gets nothing more than the queue holds.
  desk.set_presence(offline, "online");
  std::int64_t next = desk.customer_writes("c-late", "me too");
  desk.wait_for(next, [&](const Json::Value& c) { return assigned_to(c, offline); });
}

TEST(Queue, ManualClaimIsCapacityChecked) {
  Desk desk;
  Agent a = desk.agent("ann", R"({"webhook":1})", {}, false);  // away: the assigner leaves her alone
  desk.set_presence(a, "away");
  std::int64_t c1 = desk.customer_writes("c1", "one");
  std::int64_t c2 = desk.customer_writes("c2", "two");
  auto queued = desk.get(a.token, "/v1/conversations?view=queued");
  ASSERT_EQ(queued->status, 200);
  EXPECT_EQ(parse(queued->body)["items"].size(), 2u);
  auto claimed = desk.post(a.token, path(c1, "claim"));
  ASSERT_EQ(claimed->status, 200) << claimed->body;
  EXPECT_TRUE(assigned_to(parse(claimed->body), a));
  auto full = desk.post(a.token, path(c2, "claim"));
  EXPECT_EQ(full->status, 409);
  EXPECT_EQ(parse(full->body)["error"]["code"].asString(), "at_capacity");
  auto again = desk.post(a.token, path(c1, "claim"));
  EXPECT_EQ(again->status, 409);
  EXPECT_EQ(parse(again->body)["error"]["code"].asString(), "invalid_state");
  auto mine = desk.get(a.token, "/v1/conversations?view=mine");
  ASSERT_EQ(parse(mine->body)["items"].size(), 1u);
  EXPECT_EQ(parse(mine->body)["items"][0]["id"].asInt64(), c1);

  // A user who is disabled hands their conversations back to the queue.
  auto disabled = desk.gateway().client().Delete("/v1/admin/users/" + std::to_string(a.id), bearer(desk.admin()));
  ASSERT_TRUE(disabled);
  EXPECT_EQ(disabled->status, 204) << disabled->body;
  auto back = desk.conversation(c1);
  EXPECT_EQ(back["status"].asString(), "queued");
  EXPECT_TRUE(back["assignee"].isNull());
}

TEST(Queue, TransferToAnAgentOrATeamWithAPrivateNote) {
  Desk desk;
  Agent a = desk.agent("ann", R"({"webhook":3})", {"Support"});
  std::int64_t c = desk.customer_writes("c1", "refund please");
  desk.wait_for(c, [&](const Json::Value& v) { return assigned_to(v, a); });
  Agent b = desk.agent("bob", R"({"webhook":3})", {"Billing"}, false);

  auto to_bob = desk.post(a.token, path(c, "transfer"), R"({"agent":)" + std::to_string(b.id) + R"(,"note":"billing question"})");
  ASSERT_EQ(to_bob->status, 200) << to_bob->body;
  EXPECT_TRUE(assigned_to(parse(to_bob->body), b));
  auto messages = parse(desk.get(b.token, path(c, "messages"))->body)["items"];
  ASSERT_GE(messages.size(), 2u);
  const Json::Value& note = messages[messages.size() - 1];
  EXPECT_EQ(note["direction"].asString(), "note");
  EXPECT_EQ(note["parts"][0]["text"].asString(), "billing question");
  EXPECT_EQ(note["metadata"]["transfer"]["agent"].asInt64(), b.id);
  EXPECT_EQ(note["delivery_status"].asString(), "none");  // never sent to the customer

  // To a team: back in the queue, then routed within that team only.
  std::int64_t billing = desk.team_id("Billing");
  auto to_team = desk.post(b.token, path(c, "transfer"), R"({"team":"Billing","note":"for the team"})");
  ASSERT_EQ(to_team->status, 200) << to_team->body;
  auto moved = parse(to_team->body);
  EXPECT_EQ(moved["status"].asString(), "queued");
  EXPECT_EQ(moved["team"].asInt64(), billing);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(desk.conversation(c)["status"].asString(), "queued");  // ann has room but is not in Billing
  desk.set_presence(b, "online");
  desk.wait_for(c, [&](const Json::Value& v) { return assigned_to(v, b); });

  auto neither = desk.post(b.token, path(c, "transfer"), R"({"note":"x"})");
  EXPECT_EQ(neither->status, 400);
  auto no_team = desk.post(b.token, path(c, "transfer"), R"({"team":"Nobody"})");
  EXPECT_EQ(no_team->status, 400);
}

TEST(Queue, SnoozeUntilATimeOrTheCustomersNextMessage) {
  Desk desk;
  Agent a = desk.agent("ann", R"({"webhook":1})");
  std::int64_t c = desk.customer_writes("c1", "I'll check and come back");
  desk.wait_for(c, [&](const Json::Value& v) { return assigned_to(v, a); });

  auto snoozed = desk.post(a.token, path(c, "snooze"), R"({"until":")" + omnigate::schema::format_timestamp(
                                                            omnigate::schema::now() + std::chrono::hours(2)) + "\"}");
  ASSERT_EQ(snoozed->status, 200) << snoozed->body;
  EXPECT_EQ(parse(snoozed->body)["status"].asString(), "snoozed");
  EXPECT_TRUE(parse(snoozed->body).isMember("snoozed_until"));
  EXPECT_EQ(parse(snoozed->body)["assignee"].asInt64(), a.id);  // still hers, but off her capacity
  std::int64_t other = desk.customer_writes("c2", "meanwhile");
  desk.wait_for(other, [&](const Json::Value& v) { return assigned_to(v, a); });
  ASSERT_EQ(desk.post(a.token, path(other, "resolve"))->status, 200);

  // The customer writes: awake, queued, and back to her (she has room again).
  EXPECT_EQ(desk.customer_writes("c1", "found it"), c);
  auto woken = desk.wait_for(c, [&](const Json::Value& v) { return assigned_to(v, a); });
  EXPECT_FALSE(woken.isMember("snoozed_until"));

  // A snooze that runs out wakes it on its own.
  auto short_snooze = desk.post(a.token, path(c, "snooze"), R"({"until":)" +
                                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                       (omnigate::schema::now() + 2s).time_since_epoch())
                                                       .count()) +
                                    "}");
  ASSERT_EQ(short_snooze->status, 200) << short_snooze->body;
  desk.wait_for(c, [&](const Json::Value& v) { return assigned_to(v, a); }, 15s);

  auto past = desk.post(a.token, path(c, "snooze"), R"({"until":"2001-01-01T00:00:00Z"})");
  EXPECT_EQ(past->status, 400);
}

TEST(Queue, ResolveAndReopen) {
  Desk desk;
  Agent a = desk.agent("ann", R"({"webhook":2})");
  std::int64_t c = desk.customer_writes("c1", "where is my parcel");
  desk.wait_for(c, [&](const Json::Value& v) { return assigned_to(v, a); });
  ASSERT_EQ(desk.post(a.token, path(c, "resolve"))->status, 200);
  auto twice = desk.post(a.token, path(c, "resolve"));  // nothing to do, not an error
  EXPECT_EQ(twice->status, 200);

  // The agent reopens it: back to her, she has room.
  auto reopened = desk.post(a.token, path(c, "reopen"));
  ASSERT_EQ(reopened->status, 200) << reopened->body;
  EXPECT_TRUE(assigned_to(parse(reopened->body), a));
  EXPECT_EQ(desk.post(a.token, path(c, "reopen"))->status, 409);

  // The customer writes after a resolve: the same conversation reopens.
  ASSERT_EQ(desk.post(a.token, path(c, "resolve"))->status, 200);
  EXPECT_EQ(desk.customer_writes("c1", "it did not arrive"), c);
  desk.wait_for(c, [&](const Json::Value& v) { return assigned_to(v, a); });

  // Outside the reopen window a new conversation opens instead.
  auto put = desk.gateway().client().Put("/v1/admin/routing-rules", bearer(desk.admin()), R"({"reopen_window_s":0})",
                                         "application/json");
  ASSERT_EQ(put->status, 200) << put->body;
  ASSERT_EQ(desk.post(a.token, path(c, "resolve"))->status, 200);
  std::int64_t fresh = desk.customer_writes("c1", "another question");
  EXPECT_NE(fresh, c);
  EXPECT_EQ(desk.conversation(c)["status"].asString(), "resolved");
}

TEST(Queue, AgentsSeeOnlyTheirTeamsAndTheirOwnConversations) {
  Desk desk;
  Agent sales = desk.agent("sam", R"({"webhook":5})", {"Sales"});
  Agent support = desk.agent("sue", R"({"webhook":5})", {"Support"}, false);
  std::int64_t c = desk.customer_writes("c1", "pricing?");
  desk.wait_for(c, [&](const Json::Value& v) { return assigned_to(v, sales); });
  // Team-less and assigned to sam: everyone's queue, so sue sees it too.
  EXPECT_EQ(desk.get(support.token, path(c))->status, 200);
  auto patch = desk.gateway().client().Patch(path(c), bearer(sales.token), R"({"team":"Sales","priority":5,"tags":["vip","pricing"]})",
                                             "application/json");
  ASSERT_EQ(patch->status, 200) << patch->body;
  auto patched = parse(patch->body);
  EXPECT_EQ(patched["priority"].asInt(), 5);
  EXPECT_EQ(patched["tags"].size(), 2u);
  EXPECT_EQ(patched["team"].asInt64(), desk.team_id("Sales"));

  // Now it is Sales': sue (Support) cannot read, list, reply to or change it.
  auto read = desk.get(support.token, path(c));
  EXPECT_EQ(read->status, 404);
  EXPECT_EQ(desk.get(support.token, path(c, "messages"))->status, 404);
  EXPECT_EQ(desk.post(support.token, path(c, "messages"), R"({"text":"hi"})")->status, 404);
  EXPECT_EQ(desk.post(support.token, path(c, "resolve"))->status, 404);
  auto listed = parse(desk.get(support.token, "/v1/conversations")->body)["items"];
  for (const auto& item : listed) EXPECT_NE(item["id"].asInt64(), c);
  auto searched = parse(desk.get(support.token, "/v1/conversations?q=pricing")->body)["items"];
  EXPECT_EQ(searched.size(), 0u);
  // Sam and the admin do see it, and can filter and search for it.
  EXPECT_EQ(desk.get(sales.token, path(c))->status, 200);
  auto by_tag = parse(desk.get(sales.token, "/v1/conversations?tag=vip&status=assigned&channel=webhook")->body)["items"];
  ASSERT_EQ(by_tag.size(), 1u);
  EXPECT_EQ(by_tag[0]["id"].asInt64(), c);
  auto found = parse(desk.get(desk.admin(), "/v1/conversations?q=PRICING")->body)["items"];
  ASSERT_EQ(found.size(), 1u);
  auto by_name = parse(desk.get(sales.token, "/v1/conversations?q=customer%20c1")->body)["items"];
  EXPECT_EQ(by_name.size(), 1u);
  EXPECT_EQ(parse(desk.get(sales.token, "/v1/conversations?view=team")->body)["items"].size(), 1u);
  EXPECT_EQ(desk.get(sales.token, "/v1/conversations?view=everything")->status, 400);
  EXPECT_EQ(desk.get(sales.token, "/v1/conversations?status=open")->status, 400);
}

TEST(Queue, AgentSocketGetsConversationEventsOfWhatItMaySee) {
  Desk desk;
  Agent a = desk.agent("ann", R"({"webhook":1})", {"Support"});
  Agent other = desk.agent("oz", R"({"webhook":0})", {"Other"});
  auto& gw = desk.gateway();
  WsClient ann(gw.realtime_port(), "/v1/ws/agent?token=" + a.token);
  // A socket may set presence: wait until it settled, then make sure she is online.
  std::this_thread::sleep_for(200ms);
  desk.set_presence(a, "online");
  std::int64_t c = desk.customer_writes("c1", "hello");
  std::optional<Json::Value> assigned;
  for (int i = 0; i < 20 && !assigned; ++i) {
    auto e = ann.receive_type("conversation.updated");
    ASSERT_TRUE(e) << "no conversation.updated";
    if ((*e)["conversation"]["id"].asInt64() == c && (*e)["conversation"]["status"].asString() == "assigned") assigned = e;
  }
  ASSERT_TRUE(assigned);
  EXPECT_EQ((*assigned)["conversation"]["assignee"].asInt64(), a.id);
  EXPECT_EQ((*assigned)["conversation"]["contact"]["name"].asString(), "Customer c1");

  // Moved to her team: an agent of another team gets nothing of it any more.
  auto patch = gw.client().Patch(path(c), bearer(a.token), R"({"team":"Support"})", "application/json");
  ASSERT_EQ(patch->status, 200);
  // That change still goes to whoever could see it before (so their lists
  // drop it); wait until it has gone out before oz connects.
  std::int64_t support = desk.team_id("Support");
  std::optional<Json::Value> moved;
  for (int i = 0; i < 20 && !moved; ++i) {
    auto e = ann.receive_type("conversation.updated");
    ASSERT_TRUE(e) << "no conversation.updated for the team change";
    if ((*e)["conversation"]["id"].asInt64() == c && (*e)["conversation"]["team"].asInt64() == support) moved = e;
  }
  WsClient oz(gw.realtime_port(), "/v1/ws/agent?token=" + other.token);
  // An agent socket cannot reply to a conversation it may not see.
  Json::Value send;
  send["type"] = "send";
  send["conversation"] = Json::Int64(c);
  send["text"] = "sneaky";
  oz.send(send);
  auto refused = oz.receive_type("error");
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["code"].asString(), "not_found");

  desk.customer_writes("c1", "still there?");
  auto created = ann.receive_type("message.created");
  ASSERT_TRUE(created);
  EXPECT_EQ((*created)["conversation"].asInt64(), c);
  // (A receive that times out ends a test socket, so oz is read last.)
  for (auto e = oz.receive(1s); e; e = oz.receive(500ms)) {
    const Json::Value& conv = (*e)["conversation"];
    EXPECT_NE(conv.isObject() ? conv["id"].asInt64() : conv.asInt64(), c) << omnigate::schema::write_json(*e);
  }
}

TEST(Queue, EventsReachAgentsOnAnotherNode) {
  Desk desk;  // node 1: where the customer writes and the assigner may run
  omnigate::gateway::Config second;
  second.db = desk.gateway().db();
  TestGateway node2(second);
  Agent a = desk.agent("ann", R"({"webhook":1})");
  WsClient ann(node2.realtime_port(), "/v1/ws/agent?token=" + a.token);
  std::this_thread::sleep_for(200ms);
  desk.set_presence(a, "online");
  std::int64_t c = desk.customer_writes("c1", "hello from node 1");
  std::optional<Json::Value> assigned;
  for (int i = 0; i < 20 && !assigned; ++i) {
    auto e = ann.receive_type("conversation.updated");
    ASSERT_TRUE(e) << "no conversation.updated on node 2";
    if ((*e)["conversation"]["id"].asInt64() == c && (*e)["conversation"]["status"].asString() == "assigned") assigned = e;
  }
  ASSERT_TRUE(assigned);
  EXPECT_EQ((*assigned)["conversation"]["assignee"].asInt64(), a.id);
}

TEST(Queue, OffersExpireToTheNextAgentAndAreAccepted) {
  Desk desk;
  auto put = desk.gateway().client().Put("/v1/admin/routing-rules", bearer(desk.admin()),
                                         R"({"rules":{"offer":{"enabled":true,"timeout_seconds":1}}})", "application/json");
  ASSERT_EQ(put->status, 200) << put->body;
  Agent a = desk.agent("ann", R"({"webhook":1})");
  Agent b = desk.agent("bob", R"({"webhook":1})");
  std::int64_t c = desk.customer_writes("c1", "hello");
  auto first = desk.wait_for(c, [](const Json::Value& v) { return v.isMember("offer"); });
  std::int64_t offered = first["offer"]["agent"].asInt64();
  EXPECT_EQ(first["status"].asString(), "queued");
  // Not accepted in time: offered to the other one, who accepts.
  auto second = desk.wait_for(c, [&](const Json::Value& v) {
    return v.isMember("offer") && v["offer"]["agent"].asInt64() != offered;
  });
  const Agent& next = second["offer"]["agent"].asInt64() == a.id ? a : b;
  const Agent& late = next.id == a.id ? b : a;
  EXPECT_EQ(desk.post(late.token, path(c, "accept"))->status, 409);
  auto accepted = desk.post(next.token, path(c, "accept"));
  ASSERT_EQ(accepted->status, 200) << accepted->body;
  EXPECT_TRUE(assigned_to(parse(accepted->body), next));
  EXPECT_FALSE(parse(accepted->body).isMember("offer"));

  auto bad = desk.gateway().client().Put("/v1/admin/routing-rules", bearer(desk.admin()),
                                         R"({"rules":{"rules":[{"targets":[{"timeout_seconds":-1}]}]}})", "application/json");
  ASSERT_EQ(bad->status, 400);
  EXPECT_EQ(parse(bad->body)["error"]["code"].asString(), "invalid_rules");
  EXPECT_NE(parse(bad->body)["error"]["message"].asString().find("timeout_seconds"), std::string::npos);
}

TEST(Queue, SlaDueTimesAndOneBreachEvent) {
  Desk desk;
  auto put = desk.gateway().client().Put("/v1/admin/routing-rules", bearer(desk.admin()),
                                         R"({"sla":{"first_response_s":1,"resolution_s":3600}})", "application/json");
  ASSERT_EQ(put->status, 200) << put->body;
  WsClient admin(desk.gateway().realtime_port(), "/v1/ws/agent?token=" + desk.admin());
  std::int64_t c = desk.customer_writes("c1", "urgent!");
  auto conv = desk.conversation(c);
  ASSERT_TRUE(conv.isMember("first_response_due"));
  ASSERT_TRUE(conv.isMember("resolution_due"));
  auto breach = admin.receive_type("conversation.sla_breached", 10s);
  ASSERT_TRUE(breach);
  EXPECT_EQ((*breach)["conversation"].asInt64(), c);
  EXPECT_EQ((*breach)["kind"].asString(), "first_response");
  EXPECT_TRUE(desk.conversation(c)["first_response_breached"].asBool());
  EXPECT_FALSE(admin.receive_type("conversation.sla_breached", 1500ms));  // once

  auto bad = desk.gateway().client().Put("/v1/admin/routing-rules", bearer(desk.admin()),
                                         R"({"sla":{"first_response_s":"soon"}})", "application/json");
  EXPECT_EQ(bad->status, 400);
}

TEST(Queue, StatsCountTheQueueAgentsAndTraffic) {
  Desk desk;
  Agent a = desk.agent("ann", R"({"webhook":1})");
  std::int64_t c1 = desk.customer_writes("c1", "one");
  desk.wait_for(c1, [&](const Json::Value& v) { return assigned_to(v, a); });
  desk.customer_writes("c2", "two");
  auto reply = desk.post(a.token, path(c1, "messages"), R"({"text":"hello!"})");
  ASSERT_EQ(reply->status, 201);
  auto stats = parse(desk.get(a.token, "/v1/stats")->body);
  EXPECT_EQ(stats["queue"]["length"].asInt(), 1);
  EXPECT_EQ(stats["agents_online"].asInt(), 1);
  EXPECT_EQ(stats["messages_last_15_min"]["webhook"].asInt(), 3);
  EXPECT_EQ(stats["first_response"]["today"].asInt(), 1);
  EXPECT_GE(stats["first_response"]["average_s"].asDouble(), 0.0);
  EXPECT_TRUE(desk.conversation(c1).isMember("first_response_at"));
}

TEST(Queue, VisitorsLearnTheirPlaceInTheQueue) {
  Desk desk;
  Json::Value config;
  config["allowed_origins"].append("http://shop.test");
  auto web = desk.gateway().create_channel("web", "site", config);
  WsClient visitor(desk.gateway().realtime_port(), "/v1/ws/visitor", "http://shop.test");
  Json::Value hello;
  hello["type"] = "hello";
  hello["channel"] = web["config"]["key"];
  hello["visitor"] = "v-1";
  visitor.send(hello);
  ASSERT_TRUE(visitor.receive_type("welcome"));
  Json::Value send;
  send["type"] = "send";
  send["client_msg_id"] = "m1";
  send["text"] = "anyone?";
  visitor.send(send);
  auto ack = visitor.receive_type("ack");
  ASSERT_TRUE(ack);
  auto queue = visitor.receive_type("queue", 10s);
  ASSERT_TRUE(queue);
  EXPECT_EQ((*queue)["conversation"].asInt64(), (*ack)["conversation"].asInt64());
  EXPECT_TRUE((*queue)["queued"].asBool());
  EXPECT_EQ((*queue)["position"].asInt(), 1);

  // An agent comes online and takes it: the visitor hears it left the queue.
  desk.agent("ann", R"({"web":1})");
  std::optional<Json::Value> left;
  for (int i = 0; i < 5 && !left; ++i) {
    auto f = visitor.receive_type("queue", 10s);
    ASSERT_TRUE(f);
    if (!(*f)["queued"].asBool()) left = f;
  }
  EXPECT_TRUE(left);
}

TEST(Queue, AgentTypingReachesOnlyVisitorsOfConversationsTheAgentMaySee) {
  Desk desk;
  Json::Value config;
  config["allowed_origins"].append("http://shop.test");
  auto& gw = desk.gateway();
  auto web = gw.create_channel("web", "site", config);
  Agent ann = desk.agent("ann", R"({"web":1})", {"Support"});
  Agent oz = desk.agent("oz", R"({"web":0})", {"Other"});
  WsClient visitor(gw.realtime_port(), "/v1/ws/visitor", "http://shop.test");
  Json::Value hello;
  hello["type"] = "hello";
  hello["channel"] = web["config"]["key"];
  hello["visitor"] = "v-typing";
  visitor.send(hello);
  ASSERT_TRUE(visitor.receive_type("welcome"));
  Json::Value send;
  send["type"] = "send";
  send["client_msg_id"] = "t1";
  send["text"] = "hello?";
  visitor.send(send);
  auto ack = visitor.receive_type("ack");
  ASSERT_TRUE(ack);
  std::int64_t c = (*ack)["conversation"].asInt64();
  desk.wait_for(c, [&](const Json::Value& v) { return assigned_to(v, ann); });
  auto patch = gw.client().Patch(path(c), bearer(ann.token), R"({"team":"Support"})", "application/json");
  ASSERT_EQ(patch->status, 200) << patch->body;

  Json::Value typing;
  typing["type"] = "typing";
  typing["conversation"] = Json::Int64(c);
  typing["on"] = true;
  // Oz (another team) types first: nothing may reach the visitor from him.
  WsClient oz_socket(gw.realtime_port(), "/v1/ws/agent?token=" + oz.token);
  oz_socket.send(typing);
  std::this_thread::sleep_for(300ms);
  WsClient ann_socket(gw.realtime_port(), "/v1/ws/agent?token=" + ann.token);
  ann_socket.send(typing);
  auto seen = visitor.receive_type("typing", 5s);
  ASSERT_TRUE(seen);
  EXPECT_EQ((*seen)["who"].asString(), "ann");  // the first typing the visitor sees is ann's
}

// Issue #6's race: two assigners on separate connection pools route 1,000
// waiting conversations to 10 agents of capacity 5 at the same moment.
TEST(QueueConcurrency, TwoAssignersNeverPutAnAgentOverCapacity) {
  std::string conninfo = omnigate::testing::fresh_database();
  {
    db::PgConnection c(conninfo);
    c.exec("INSERT INTO channels (type, name, token) VALUES ('webhook', 'race', 'race-token')");
    c.exec("INSERT INTO agents (login, name, role, password_hash, capacity, presence) "
           "SELECT 'agent' || g, 'Agent ' || g, 'agent', 'x', '{\"webhook\": 5}', 'online' FROM generate_series(1, 10) g");
    c.exec("INSERT INTO contacts (id, name) SELECT g, 'c' || g FROM generate_series(1, 1000) g");
    c.exec("INSERT INTO conversations (channel_id, contact_id) "
           "SELECT (SELECT id FROM channels), g FROM generate_series(1, 1000) g");
  }
  gw::Assigner::Options options;
  options.exclusive = false;  // both route at once: only the store's atomic step keeps capacity
  db::ConnectionPool pool1(conninfo, 2), pool2(conninfo, 2);
  store::AssignmentStore store1(pool1), store2(pool2);
  gw::Assigner first(store1, options), second(store2, options);

  std::barrier start(2);
  std::atomic<int> assigned{0}, lost{0};
  auto race = [&](gw::Assigner& assigner) {
    start.arrive_and_wait();
    for (int pass = 0; pass < 5; ++pass) {
      auto r = assigner.run_pass();
      assigned += r.assigned;
      lost += r.lost;
    }
  };
  std::thread t1(race, std::ref(first)), t2(race, std::ref(second));
  t1.join();
  t2.join();

  EXPECT_EQ(assigned.load(), 50);
  db::PgConnection c(conninfo);
  auto per_agent = c.exec("SELECT assignee_id, count(*) FROM conversations WHERE status = 'assigned' GROUP BY 1");
  EXPECT_EQ(per_agent.rows(), 10);
  for (int i = 0; i < per_agent.rows(); ++i) EXPECT_EQ(per_agent.int64(i, 1), 5) << "agent " << per_agent.str(i, 0);
  auto states = c.exec("SELECT count(*) FILTER (WHERE status = 'assigned'), count(*) FILTER (WHERE status = 'queued'), "
                       "count(*) FROM conversations");
  EXPECT_EQ(states.int64(0, 0), 50);
  EXPECT_EQ(states.int64(0, 1), 950);
  EXPECT_EQ(states.int64(0, 2), 1000);
  // None assigned twice: the history holds one assignment per conversation.
  auto twice = c.exec("SELECT count(*) FROM (SELECT conversation_id FROM conversation_changes "
                      "WHERE kind = 'status' AND status = 'assigned' GROUP BY 1 HAVING count(*) > 1) x");
  EXPECT_EQ(twice.int64(0, 0), 0);
  auto taken = c.exec("SELECT count(*) FROM conversation_changes WHERE kind = 'status' AND status = 'assigned'");
  EXPECT_EQ(taken.int64(0, 0), 50);
  // The capacity ledger agrees with the conversations.
  auto drift = c.exec("SELECT count(*) FROM agent_load l WHERE l.assigned <> (SELECT count(*) FROM conversations cv "
                      "JOIN channels ch ON ch.id = cv.channel_id WHERE cv.status = 'assigned' "
                      "AND cv.assignee_id = l.agent_id AND ch.type = l.channel_type)");
  EXPECT_EQ(drift.int64(0, 0), 0);
  // And the database itself refuses an over-capacity write, whoever makes it.
  try {
    c.exec("UPDATE conversations SET status = 'assigned', assignee_id = (SELECT min(id) FROM agents) "
           "WHERE id = (SELECT min(id) FROM conversations WHERE status = 'queued')");
    ADD_FAILURE() << "an over-capacity assignment was accepted";
  } catch (const db::PgError& e) {
    EXPECT_EQ(e.sqlstate(), "OGCAP") << e.what();
  }
  std::printf("two assigners: %d assigned, %d decisions lost to the other\n", assigned.load(), lost.load());
}

}  // namespace
