// The realtime hub with real WebSocket clients: visitor ↔ agent live, resume
// with last_seq, idempotent sends, the size limit and Origin checks.
#include <gtest/gtest.h>

#include <thread>

#include "gateway/db/pg.h"
#include "gateway/db/pool.h"
#include "gateway/replies.h"
#include "gateway/store/message_store.h"
#include "schema/json.h"
#include "tests/support/test_gateway.h"
#include "tests/support/ws_client.h"

using omnigate::testing::parse;
using omnigate::testing::TestGateway;
using omnigate::testing::WsClient;
namespace db = omnigate::db;

namespace {

Json::Value web_channel(TestGateway& gw, const std::vector<std::string>& origins = {"http://shop.test"}) {
  Json::Value config;
  config["allowed_origins"] = Json::Value(Json::arrayValue);
  for (const auto& o : origins) config["allowed_origins"].append(o);
  return gw.create_channel("web", "site chat", config);
}

Json::Value hello(const Json::Value& channel, const std::string& visitor, const Json::Value& last_seq = Json::Value()) {
  Json::Value h;
  h["type"] = "hello";
  h["channel"] = channel["config"]["key"];
  h["visitor"] = visitor;
  h["name"] = "Visitor " + visitor;
  if (!last_seq.isNull()) h["last_seq"] = last_seq;
  return h;
}

Json::Value send_frame(const std::string& client_msg_id, const std::string& text) {
  Json::Value s;
  s["type"] = "send";
  s["client_msg_id"] = client_msg_id;
  s["text"] = text;
  return s;
}

httplib::Result agent_reply(TestGateway& gw, const std::string& token, std::int64_t conversation, const std::string& text) {
  Json::Value body;
  body["text"] = text;
  return gw.client().Post("/v1/conversations/" + std::to_string(conversation) + "/messages",
                          {{"Authorization", "Bearer " + token}}, omnigate::schema::write_json(body), "application/json");
}

TEST(Realtime, VisitorAndAgentTalkLive) {
  TestGateway gw;
  auto channel = web_channel(gw);
  EXPECT_TRUE(channel["key"].asString().starts_with("wk_"));
  EXPECT_EQ(channel["key"], channel["config"]["key"]);
  std::string token = gw.agent_token();
  WsClient agent(gw.realtime_port(), "/v1/ws/agent?token=" + token);
  WsClient visitor(gw.realtime_port(), "/v1/ws/visitor", "http://shop.test");
  visitor.send(hello(channel, "v-1"));
  auto welcome = visitor.receive_type("welcome");
  ASSERT_TRUE(welcome);
  EXPECT_EQ((*welcome)["conversations"].size(), 0u);

  visitor.send(send_frame("c-1", "有人吗？"));
  auto ack = visitor.receive_type("ack");
  ASSERT_TRUE(ack);
  EXPECT_EQ((*ack)["client_msg_id"].asString(), "c-1");
  EXPECT_EQ((*ack)["seq"].asInt64(), 1);
  std::int64_t conversation = (*ack)["conversation"].asInt64();

  auto created = agent.receive_type("message.created");
  ASSERT_TRUE(created);
  EXPECT_EQ((*created)["message"]["parts"][0]["text"].asString(), "有人吗？");
  EXPECT_EQ((*created)["conversation"].asInt64(), conversation);
  EXPECT_EQ((*created)["message"]["sender"]["id"].asString(), "v-1");

  ASSERT_EQ(agent_reply(gw, token, conversation, "您好，请问有什么可以帮您？")->status, 201);
  // The visitor sees its own message echoed (seq 1), then the reply (seq 2).
  std::vector<Json::Value> msgs;
  for (int i = 0; i < 2; ++i) {
    auto m = visitor.receive_type("message");
    ASSERT_TRUE(m);
    msgs.push_back(*m);
  }
  EXPECT_EQ(msgs[0]["message"]["seq"].asInt64(), 1);
  EXPECT_EQ(msgs[0]["message"]["client_msg_id"].asString(), "c-1");
  EXPECT_FALSE(msgs[0]["message"].isMember("metadata")) << "visitors never see metadata (their IP, user agent)";
  EXPECT_EQ(msgs[1]["message"]["seq"].asInt64(), 2);
  EXPECT_EQ(msgs[1]["message"]["sender"]["type"].asString(), "agent");
  EXPECT_FALSE(msgs[1]["message"]["sender"].isMember("id"));
  EXPECT_EQ(msgs[1]["message"]["parts"][0]["text"].asString(), "您好，请问有什么可以帮您？");
  EXPECT_EQ(msgs[1]["message"]["direction"].asString(), "out");
}

TEST(Realtime, ReconnectWithLastSeqGetsExactlyWhatWasMissedInOrder) {
  TestGateway gw;
  auto channel = web_channel(gw);
  std::string token = gw.agent_token();
  std::int64_t conversation = 0;
  std::int64_t seen = 0;
  {
    WsClient visitor(gw.realtime_port(), "/v1/ws/visitor", "http://shop.test");
    visitor.send(hello(channel, "v-2"));
    ASSERT_TRUE(visitor.receive_type("welcome"));
    visitor.send(send_frame("c-1", "hello"));
    auto ack = visitor.receive_type("ack");
    ASSERT_TRUE(ack);
    conversation = (*ack)["conversation"].asInt64();
    seen = (*ack)["seq"].asInt64();
    visitor.close();
  }
  for (int i = 1; i <= 3; ++i) ASSERT_EQ(agent_reply(gw, token, conversation, "reply " + std::to_string(i))->status, 201);
  // A private note in between is never shown to the visitor.
  gw.client().Post("/v1/conversations/" + std::to_string(conversation) + "/messages",
                   {{"Authorization", "Bearer " + token}}, R"({"text":"internal","private":true})", "application/json");

  WsClient again(gw.realtime_port(), "/v1/ws/visitor", "http://shop.test");
  Json::Value last;
  last[std::to_string(conversation)] = Json::Int64(seen);
  again.send(hello(channel, "v-2", last));
  ASSERT_TRUE(again.receive_type("welcome"));
  std::vector<std::string> texts;
  std::vector<std::int64_t> seqs;
  while (auto m = again.receive_type("message", std::chrono::milliseconds(800))) {
    texts.push_back((*m)["message"]["parts"][0]["text"].asString());
    seqs.push_back((*m)["message"]["seq"].asInt64());
  }
  ASSERT_EQ(texts.size(), 3u);
  EXPECT_EQ(texts[0], "reply 1");
  EXPECT_EQ(texts[1], "reply 2");
  EXPECT_EQ(texts[2], "reply 3");
  EXPECT_EQ(seqs[0], seen + 1);
  EXPECT_EQ(seqs[2], seen + 3);
}

TEST(Realtime, TheSameClientMsgIdTwiceStoresOneMessage) {
  TestGateway gw;
  auto channel = web_channel(gw);
  WsClient visitor(gw.realtime_port(), "/v1/ws/visitor", "http://shop.test");
  visitor.send(hello(channel, "v-3"));
  ASSERT_TRUE(visitor.receive_type("welcome"));
  visitor.send(send_frame("same", "once"));
  auto first = visitor.receive_type("ack");
  visitor.send(send_frame("same", "once"));
  auto second = visitor.receive_type("ack");
  ASSERT_TRUE(first && second);
  EXPECT_EQ((*first)["id"], (*second)["id"]);
  EXPECT_TRUE((*second)["duplicate"].asBool());
  db::PgConnection c(gw.db());
  EXPECT_EQ(c.exec("SELECT count(*) FROM messages").int64(0, 0), 1);
}

TEST(Realtime, OversizeFrameIsClosedWithPolicyViolationAndTheProcessIsUnharmed) {
  omnigate::gateway::Config cfg;
  cfg.realtime_max_message_bytes = 4096;
  TestGateway gw(cfg);
  auto channel = web_channel(gw);
  WsClient visitor(gw.realtime_port(), "/v1/ws/visitor", "http://shop.test");
  visitor.send(hello(channel, "v-4"));
  ASSERT_TRUE(visitor.receive_type("welcome"));
  visitor.send(send_frame("big", std::string(10000, 'x')));
  EXPECT_FALSE(visitor.receive(std::chrono::seconds(3)));
  EXPECT_TRUE(visitor.closed());
  EXPECT_EQ(visitor.close_code(), 1008) << visitor.error();
  // Others carry on.
  WsClient other(gw.realtime_port(), "/v1/ws/visitor", "http://shop.test");
  other.send(hello(channel, "v-5"));
  EXPECT_TRUE(other.receive_type("welcome"));
  EXPECT_EQ(gw.client().Get("/healthz")->status, 200);
}

TEST(Realtime, ABadOriginIsRefused) {
  TestGateway gw;
  auto channel = web_channel(gw, {"https://shop.example"});
  std::string key = channel["config"]["key"].asString();
  // Key in the URL: refused before the upgrade.
  EXPECT_EQ(omnigate::testing::upgrade_status(gw.realtime_port(), "/v1/ws/visitor?channel=" + key, "https://evil.example"), 403);
  EXPECT_EQ(omnigate::testing::upgrade_status(gw.realtime_port(), "/v1/ws/visitor?channel=" + key, "https://shop.example"), 101);
  // Key in hello: an error frame and a policy close.
  WsClient visitor(gw.realtime_port(), "/v1/ws/visitor", "https://evil.example");
  visitor.send(hello(channel, "v-6"));
  auto err = visitor.receive_type("error");
  ASSERT_TRUE(err);
  EXPECT_EQ((*err)["code"].asString(), "origin_not_allowed");
  EXPECT_FALSE(visitor.receive(std::chrono::seconds(2)));
  EXPECT_EQ(visitor.close_code(), 1008);
}

TEST(Realtime, AgentsNeedAValidToken) {
  TestGateway gw;
  EXPECT_EQ(omnigate::testing::upgrade_status(gw.realtime_port(), "/v1/ws/agent?token=nope", "http://x"), 401);
  EXPECT_EQ(omnigate::testing::upgrade_status(gw.realtime_port(), "/v1/ws/agent", "http://x"), 401);
  EXPECT_EQ(omnigate::testing::upgrade_status(gw.realtime_port(), "/v1/ws/nothing", "http://x"), 404);
}

TEST(Realtime, AVisitorCannotResumeSomeoneElsesConversation) {
  TestGateway gw;
  auto channel = web_channel(gw);
  std::int64_t theirs = 0;
  {
    WsClient owner(gw.realtime_port(), "/v1/ws/visitor", "http://shop.test");
    owner.send(hello(channel, "owner"));
    ASSERT_TRUE(owner.receive_type("welcome"));
    owner.send(send_frame("x", "my secret order number"));
    theirs = (*owner.receive_type("ack"))["conversation"].asInt64();
  }
  WsClient intruder(gw.realtime_port(), "/v1/ws/visitor", "http://shop.test");
  Json::Value last;
  last[std::to_string(theirs)] = 0;
  intruder.send(hello(channel, "intruder", last));
  auto welcome = intruder.receive_type("welcome");
  ASSERT_TRUE(welcome);
  EXPECT_EQ((*welcome)["conversations"].size(), 0u);
  EXPECT_FALSE(intruder.receive_type("message", std::chrono::milliseconds(500)));
}

TEST(Realtime, ShutdownClosesSocketsWithACloseFrame) {
  auto gw = std::make_unique<TestGateway>();
  auto channel = web_channel(*gw);
  WsClient visitor(gw->realtime_port(), "/v1/ws/visitor", "http://shop.test");
  visitor.send(hello(channel, "v-7"));
  ASSERT_TRUE(visitor.receive_type("welcome"));
  std::thread stopper([&] { gw.reset(); });
  EXPECT_FALSE(visitor.receive(std::chrono::seconds(5)));
  stopper.join();
  EXPECT_EQ(visitor.close_code(), 1001);
}

}  // namespace

namespace {

// Cross-node: a visitor on node A and an agent on node B of one database talk
// live through the PostgreSQL event bus.
TEST(Realtime, VisitorAndAgentOnDifferentNodesTalkLive) {
  TestGateway node_a;
  omnigate::gateway::Config cfg_b;
  cfg_b.db = node_a.db();
  TestGateway node_b(cfg_b);
  auto channel = web_channel(node_a);
  std::string token = node_b.agent_token();
  WsClient agent_on_b(node_b.realtime_port(), "/v1/ws/agent?token=" + token);
  WsClient visitor_on_a(node_a.realtime_port(), "/v1/ws/visitor", "http://shop.test");
  visitor_on_a.send(hello(channel, "traveller"));
  ASSERT_TRUE(visitor_on_a.receive_type("welcome"));
  visitor_on_a.send(send_frame("c-1", "from node A"));
  auto ack = visitor_on_a.receive_type("ack");
  ASSERT_TRUE(ack);
  auto created = agent_on_b.receive_type("message.created");
  ASSERT_TRUE(created) << "node B never heard of the message";
  EXPECT_EQ((*created)["message"]["parts"][0]["text"].asString(), "from node A");

  std::int64_t conversation = (*ack)["conversation"].asInt64();
  ASSERT_EQ(agent_reply(node_b, token, conversation, "answered on node B")->status, 201);
  std::optional<Json::Value> reply;
  while (auto m = visitor_on_a.receive_type("message")) {
    if ((*m)["message"]["direction"].asString() == "out") {
      reply = m;
      break;
    }
  }
  ASSERT_TRUE(reply) << "node A never pushed the reply";
  EXPECT_EQ((*reply)["message"]["parts"][0]["text"].asString(), "answered on node B");
  EXPECT_EQ((*reply)["message"]["seq"].asInt64(), 2);
}

// A node whose LISTEN connection drops misses what other nodes notified
// meanwhile. Once it is back, its visitor sessions read what they missed
// from the store and its agent sockets are told to resync. The lost
// notification is made certain here: the message is stored by a store
// that publishes nothing, and then node B's listener connection is cut.
TEST(Realtime, ANodeWhoseListenerDroppedCatchesUpItsSockets) {
  TestGateway node_a;
  omnigate::gateway::Config cfg_b;
  cfg_b.db = node_a.db();
  TestGateway node_b(cfg_b);
  auto channel = web_channel(node_a);
  WsClient visitor_on_b(node_b.realtime_port(), "/v1/ws/visitor", "http://shop.test");
  visitor_on_b.send(hello(channel, "traveller"));
  ASSERT_TRUE(visitor_on_b.receive_type("welcome"));
  visitor_on_b.send(send_frame("c-1", "anyone there?"));
  auto ack = visitor_on_b.receive_type("ack");
  ASSERT_TRUE(ack);
  std::int64_t conversation_id = (*ack)["conversation"].asInt64();
  WsClient agent_on_b(node_b.realtime_port(), "/v1/ws/agent?token=" + node_b.agent_token());
  // The visitor's next reply from an agent (its own messages are skipped).
  auto next_reply = [&](std::chrono::milliseconds within) -> std::optional<Json::Value> {
    auto until = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < until) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      auto m = visitor_on_b.receive_type("message", std::max(left, std::chrono::milliseconds(1)));
      if (!m) return std::nullopt;
      if ((*m)["message"]["direction"].asString() == "out") return m;
    }
    return std::nullopt;
  };

  omnigate::schema::Agent agent;
  agent.id = 1;
  agent.login = "agent";
  omnigate::schema::Conversation conversation;
  conversation.id = conversation_id;
  conversation.channel_id = channel["id"].asInt64();
  Json::Value body(Json::objectValue);
  body["text"] = "sorry for the wait";
  body["client_msg_id"] = "missed-1";
  db::ConnectionPool pool(node_a.db(), 1);
  omnigate::store::MessageStore silent(pool);
  auto stored = silent.ingest({omnigate::gateway::agent_reply(agent, conversation, body)});
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_FALSE(next_reply(std::chrono::milliseconds(500))) << "nothing announced the message yet";

  db::PgConnection c(node_a.db());
  auto cut = c.exec(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE query LIKE 'LISTEN omnigate_events%' AND pid <> pg_backend_pid()");
  ASSERT_EQ(cut.int64(0, 0), 2) << "one listener per node";

  auto caught_up = next_reply(std::chrono::seconds(10));
  ASSERT_TRUE(caught_up) << "the visitor never got the message its node missed (socket closed: " << visitor_on_b.closed() << " " << visitor_on_b.error() << ")";
  EXPECT_EQ((*caught_up)["message"]["parts"][0]["text"].asString(), "sorry for the wait");
  EXPECT_EQ((*caught_up)["message"]["seq"].asInt64(), 2);
  EXPECT_TRUE(agent_on_b.receive_type("resync", std::chrono::seconds(10))) << "the agent socket was not told to resync";
  EXPECT_FALSE(next_reply(std::chrono::milliseconds(500))) << "delivered once";
}

}  // namespace

#include "adapters/app/app_adapter.h"

namespace {

std::string identity_for(const Json::Value& app_channel, const std::string& user, std::int64_t ttl = 3600) {
  return omnigate::adapters::app::sign_identity(app_channel["secrets"]["identity_secret"].asString(), user, "User " + user,
                                                 std::time(nullptr) + ttl);
}

TEST(AppChannel, SignedUsersConnectOverTheSocketAndForgedOnesAreRefused) {
  TestGateway gw;
  Json::Value config;
  config["require_identity"] = true;
  auto app = gw.create_channel("app", "iOS", config);
  EXPECT_TRUE(app["key"].asString().starts_with("ak_"));
  EXPECT_GE(app["secrets"]["identity_secret"].asString().size(), 32u);

  WsClient device(gw.realtime_port(), "/v1/ws/visitor", "");
  Json::Value h;
  h["type"] = "hello";
  h["channel"] = app["key"];
  h["identity"] = identity_for(app, "42");
  device.send(h);
  auto welcome = device.receive_type("welcome");
  ASSERT_TRUE(welcome);
  EXPECT_EQ((*welcome)["visitor"].asString(), "u:42");
  device.send(send_frame("m1", "from the app"));
  auto ack = device.receive_type("ack");
  ASSERT_TRUE(ack);
  db::PgConnection c(gw.db());
  EXPECT_EQ(c.exec("SELECT sender_id || '|' || sender_name FROM messages").str(0, 0), "u:42|User 42");

  for (const std::string& bad : {identity_for(app, "42", -10), identity_for(app, "42") + "00", std::string("nonsense")}) {
    WsClient forged(gw.realtime_port(), "/v1/ws/visitor", "");
    h["identity"] = bad;
    forged.send(h);
    auto err = forged.receive_type("error");
    ASSERT_TRUE(err) << bad;
    EXPECT_EQ((*err)["code"].asString(), "bad_identity");
  }
  // This channel requires identities: an anonymous device is refused too.
  WsClient anonymous(gw.realtime_port(), "/v1/ws/visitor", "");
  Json::Value anon;
  anon["type"] = "hello";
  anon["channel"] = app["key"];
  anon["visitor"] = "device-1";
  anonymous.send(anon);
  auto err = anonymous.receive_type("error");
  ASSERT_TRUE(err);
  EXPECT_EQ((*err)["code"].asString(), "bad_identity");
}

TEST(AppChannel, HttpFallbackSendsAndLongPollsForReplies) {
  TestGateway gw;
  auto app = gw.create_channel("app", "Android");
  std::string identity = identity_for(app, "7");
  auto c = gw.client();
  Json::Value msg;
  msg["channel"] = app["key"];
  msg["identity"] = identity;
  msg["client_msg_id"] = "a-1";
  msg["text"] = "no socket here";
  auto posted = c.Post("/v1/app/messages", omnigate::schema::write_json(msg), "application/json");
  ASSERT_EQ(posted->status, 201) << posted->body;
  auto ack = parse(posted->body);
  std::int64_t conversation = ack["conversation"].asInt64();
  EXPECT_EQ(c.Post("/v1/app/messages", omnigate::schema::write_json(msg), "application/json")->status, 200);  // retry

  std::string sync = "/v1/app/sync?channel=" + app["key"].asString() + "&conversation=" + std::to_string(conversation);
  httplib::Headers id_header{{"X-Omnigate-Identity", identity}};
  auto first = parse(c.Get(sync + "&after_seq=0&timeout=0", id_header)->body);
  ASSERT_EQ(first["items"].size(), 1u);
  EXPECT_EQ(first["items"][0]["client_msg_id"].asString(), "a-1");
  std::int64_t next = first["next"].asInt64();

  // Nothing new: the request waits; an agent reply half a second later ends it.
  std::string token = gw.agent_token();
  std::thread replier([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    agent_reply(gw, token, conversation, "replied while you waited");
  });
  auto started = std::chrono::steady_clock::now();
  auto polled = c.Get(sync + "&after_seq=" + std::to_string(next) + "&timeout=10", id_header);
  auto waited = std::chrono::steady_clock::now() - started;
  replier.join();
  ASSERT_EQ(polled->status, 200) << polled->body;
  auto page = parse(polled->body);
  ASSERT_EQ(page["items"].size(), 1u);
  EXPECT_EQ(page["items"][0]["parts"][0]["text"].asString(), "replied while you waited");
  EXPECT_GE(waited, std::chrono::milliseconds(400));
  EXPECT_LT(waited, std::chrono::seconds(8));

  // Someone else's conversation is not found, whatever its id.
  auto other = identity_for(app, "8");
  EXPECT_EQ(c.Get(sync + "&after_seq=0&timeout=0", {{"X-Omnigate-Identity", other}})->status, 404);
  EXPECT_EQ(c.Get(sync + "&after_seq=0&timeout=0", {{"X-Omnigate-Identity", "forged.sig"}})->status, 401);
}

}  // namespace

namespace {

TEST(Realtime, AgentsReplyAndTypeOverTheSocket) {
  TestGateway gw;
  auto channel = web_channel(gw);
  WsClient agent(gw.realtime_port(), "/v1/ws/agent?token=" + gw.agent_token());
  WsClient visitor(gw.realtime_port(), "/v1/ws/visitor", "http://shop.test");
  visitor.send(hello(channel, "typist"));
  ASSERT_TRUE(visitor.receive_type("welcome"));
  visitor.send(send_frame("q", "anyone?"));
  std::int64_t conversation = (*visitor.receive_type("ack"))["conversation"].asInt64();
  ASSERT_TRUE(agent.receive_type("message.created"));

  // The visitor types: the agent sees it.
  Json::Value typing;
  typing["type"] = "typing";
  typing["on"] = true;
  visitor.send(typing);
  auto seen = agent.receive_type("typing");
  ASSERT_TRUE(seen);
  EXPECT_EQ((*seen)["conversation"].asInt64(), conversation);
  EXPECT_TRUE((*seen)["on"].asBool());

  // A read receipt for the visitor's conversation reaches the agent too.
  Json::Value read;
  read["type"] = "read";
  read["conversation"] = Json::Int64(conversation);
  read["seq"] = 1;
  visitor.send(read);
  auto receipt = agent.receive_type("read");
  ASSERT_TRUE(receipt);
  EXPECT_EQ((*receipt)["seq"].asInt64(), 1);
  EXPECT_EQ((*receipt)["conversation"].asInt64(), conversation);

  // The agent types, then replies over the socket.
  Json::Value agent_typing;
  agent_typing["type"] = "typing";
  agent_typing["conversation"] = Json::Int64(conversation);
  agent_typing["on"] = true;
  agent.send(agent_typing);
  auto shown = visitor.receive_type("typing");
  ASSERT_TRUE(shown);
  EXPECT_EQ((*shown)["who"].asString(), "Agent");

  Json::Value reply;
  reply["type"] = "send";
  reply["conversation"] = Json::Int64(conversation);
  reply["client_msg_id"] = "r-1";
  reply["text"] = "here!";
  agent.send(reply);
  auto ack = agent.receive_type("ack");
  ASSERT_TRUE(ack);
  EXPECT_EQ((*ack)["client_msg_id"].asString(), "r-1");
  std::optional<Json::Value> got;
  while (auto m = visitor.receive_type("message")) {
    if ((*m)["message"]["direction"].asString() == "out") {
      got = m;
      break;
    }
  }
  ASSERT_TRUE(got);
  EXPECT_EQ((*got)["message"]["parts"][0]["text"].asString(), "here!");

  reply["conversation"] = 999999;
  agent.send(reply);
  auto err = agent.receive_type("error");
  ASSERT_TRUE(err);
  EXPECT_EQ((*err)["code"].asString(), "not_found");
}

}  // namespace

namespace {

TEST(Realtime, TheVisitorsContactKeepsPageLanguageAgentAndIp) {
  TestGateway gw;
  auto channel = web_channel(gw);
  WsClient visitor(gw.realtime_port(), "/v1/ws/visitor", "http://shop.test");
  Json::Value h = hello(channel, "attr-visitor");
  h["page_url"] = "http://shop.test/kettles?id=7";
  h["language"] = "zh-CN";
  visitor.send(h);
  ASSERT_TRUE(visitor.receive_type("welcome"));
  visitor.send(send_frame("a", "hi"));
  ASSERT_TRUE(visitor.receive_type("ack"));
  db::PgConnection c(gw.db());
  std::string attributes;
  for (int i = 0; i < 100 && attributes.find("page_url") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    attributes = c.exec("SELECT attributes::text FROM contacts").str(0, 0);
  }
  auto a = parse(attributes);
  EXPECT_EQ(a["page_url"].asString(), "http://shop.test/kettles?id=7");
  EXPECT_EQ(a["language"].asString(), "zh-CN");
  EXPECT_EQ(a["ip"].asString(), "127.0.0.1");
}

}  // namespace
