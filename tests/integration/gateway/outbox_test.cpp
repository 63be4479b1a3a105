// Outbound: an agent reply is stored with its outbox row, delivered through
// the channel's adapter (the webhook channel, to a local receiver), retried
// with backoff on temporary failures, marked failed with the receiver's
// reason on permanent ones, and never lost or sent twice by two dispatchers.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "adapters/webhook/webhook_adapter.h"
#include "gateway/db/pg.h"
#include "schema/json.h"
#include <json/writer.h>  // operator<< for Json::Value in assertion messages
#include "tests/support/test_gateway.h"
#include "tests/support/ws_client.h"

using omnigate::testing::parse;
using omnigate::testing::TestGateway;
using omnigate::testing::WsClient;
namespace db = omnigate::db;

namespace {

// A webhook receiver on 127.0.0.1 that answers from a script of statuses
// (then 200) and records what it got.
class Receiver {
 public:
  explicit Receiver(std::vector<int> script = {}) : script_(std::move(script)) {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lk(mu_);
      bodies_.push_back(req.body);
      signatures_.push_back(req.get_header_value(omnigate::adapters::kSignatureHeader));
      res.status = calls_ < script_.size() ? script_[calls_] : 200;
      ++calls_;
    });
    // A thread per open connection, like cpp-httplib's: enough of them for
    // every dispatcher worker of two nodes to keep its connection alive, as
    // a real receiver (nginx, an async server) does.
    server_.new_task_queue = [] { return new httplib::ThreadPool(80); };
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<std::string> bodies() {
    std::lock_guard lk(mu_);
    return bodies_;
  }
  std::vector<std::string> signatures() {
    std::lock_guard lk(mu_);
    return signatures_;
  }

 private:
  httplib::Server server_;
  std::vector<int> script_;
  size_t calls_ = 0;
  std::mutex mu_;
  std::vector<std::string> bodies_, signatures_;
  int port_ = 0;
  std::thread thread_;
};

// A conversation on a webhook channel whose replies go to `url`.
struct Setup {
  Json::Value channel;
  std::int64_t conversation_id = 0;
};

Setup conversation_on(TestGateway& gw, const std::string& url) {
  Json::Value config;
  config["outbound_url"] = url;
  Setup s;
  s.channel = gw.create_channel("webhook", "shop", config);
  auto r = gw.post_signed(s.channel, R"({"external_id":"in-1","contact":{"id":"cust-9","name":"Han Meimei"},"text":"where is my parcel?"})");
  s.conversation_id = parse(r->body)["messages"][0]["conversation_id"].asInt64();
  return s;
}

httplib::Result reply(TestGateway& gw, std::int64_t conversation, const std::string& body, const std::string& token) {
  return gw.client().Post("/v1/conversations/" + std::to_string(conversation) + "/messages",
                          {{"Authorization", "Bearer " + token}}, body, "application/json");
}

// Polls the message's delivery status until it leaves `pending` (or times out).
Json::Value wait_delivered(TestGateway& gw, std::int64_t id) {
  db::PgConnection c(gw.db());
  for (int i = 0; i < 300; ++i) {
    auto r = c.exec("SELECT delivery_status, delivery_error, (SELECT attempts FROM outbox WHERE message_id = $1) "
                    "FROM messages WHERE id = $1",
                    {std::to_string(id)});
    if (r.str(0, 0) != "pending") {
      Json::Value v;
      v["status"] = r.str(0, 0);
      v["error"] = r.str(0, 1);
      return v;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Json::Value("timeout");
}

httplib::Result retry(TestGateway& gw, std::int64_t conversation, std::int64_t message, const std::string& token) {
  return gw.client().Post("/v1/conversations/" + std::to_string(conversation) + "/messages/" +
                              std::to_string(message) + "/retry",
                          {{"Authorization", "Bearer " + token}}, "", "application/json");
}

// The agent socket's next message.updated for `message` with `status`
// (other frames skipped); nullopt if none came.
std::optional<Json::Value> updated_to(WsClient& socket, std::int64_t message, const std::string& status) {
  for (int i = 0; i < 20; ++i) {
    auto e = socket.receive_type("message.updated");
    if (!e) return std::nullopt;
    const Json::Value& m = (*e)["message"];
    if (m["id"].asInt64() == message && m["delivery_status"].asString() == status) return e;
  }
  return std::nullopt;
}

// An agent socket, once the hub has it (the upgrade answers before that).
std::unique_ptr<WsClient> agent_socket(TestGateway& gw, const std::string& token) {
  auto socket = std::make_unique<WsClient>(gw.realtime_port(), "/v1/ws/agent?token=" + token);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  return socket;
}

omnigate::gateway::Config fast_retries() {
  omnigate::gateway::Config cfg;
  cfg.outbox_backoff_base_ms = 50;
  cfg.outbox_max_attempts = 4;
  return cfg;
}

TEST(Outbox, ReplyIsDeliveredSignedToTheChannel) {
  Receiver rx;
  TestGateway gw(fast_retries());
  auto s = conversation_on(gw, rx.url());
  std::string token = gw.agent_token();
  auto r = reply(gw, s.conversation_id, R"({"text":"It ships today 🚚","client_msg_id":"c-1"})", token);
  ASSERT_EQ(r->status, 201) << r->body;
  auto stored = parse(r->body);
  EXPECT_EQ(stored["direction"].asString(), "out");
  EXPECT_EQ(stored["sender"]["type"].asString(), "agent");
  EXPECT_EQ(stored["delivery_status"].asString(), "pending");
  EXPECT_EQ(stored["seq"].asInt64(), 2);

  auto outcome = wait_delivered(gw, stored["id"].asInt64());
  EXPECT_EQ(outcome["status"].asString(), "sent") << omnigate::schema::write_json(outcome);
  auto bodies = rx.bodies();
  ASSERT_EQ(bodies.size(), 1u);
  auto payload = parse(bodies[0]);
  EXPECT_EQ(payload["message"]["parts"][0]["text"].asString(), "It ships today 🚚");
  EXPECT_EQ(payload["recipient"]["id"].asString(), "cust-9");
  EXPECT_EQ(payload["recipient"]["name"].asString(), "Han Meimei");
  EXPECT_EQ(rx.signatures()[0], omnigate::adapters::sign_body(s.channel["secrets"]["secret"].asString(), bodies[0]));

  // The same client_msg_id again: the first reply, nothing sent twice.
  auto again = reply(gw, s.conversation_id, R"({"text":"It ships today 🚚","client_msg_id":"c-1"})", token);
  ASSERT_EQ(again->status, 200);
  EXPECT_TRUE(parse(again->body)["duplicate"].asBool());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(rx.bodies().size(), 1u);
}

TEST(Outbox, TemporaryFailuresAreRetriedWithBackoff) {
  Receiver rx({503, 429});
  TestGateway gw(fast_retries());
  auto s = conversation_on(gw, rx.url());
  auto r = reply(gw, s.conversation_id, R"({"text":"hello"})", gw.agent_token());
  auto outcome = wait_delivered(gw, parse(r->body)["id"].asInt64());
  EXPECT_EQ(outcome["status"].asString(), "sent") << omnigate::schema::write_json(outcome);
  EXPECT_EQ(rx.bodies().size(), 3u);
  auto attempts = parse(rx.bodies()[2])["attempt"].asInt();
  EXPECT_EQ(attempts, 3);
}

TEST(Outbox, PermanentFailureIsShownWithTheReason) {
  Receiver rx({422});
  TestGateway gw(fast_retries());
  auto s = conversation_on(gw, rx.url());
  auto r = reply(gw, s.conversation_id, R"({"text":"hello"})", gw.agent_token());
  auto outcome = wait_delivered(gw, parse(r->body)["id"].asInt64());
  EXPECT_EQ(outcome["status"].asString(), "failed");
  EXPECT_NE(outcome["error"].asString().find("422"), std::string::npos) << omnigate::schema::write_json(outcome);
  EXPECT_EQ(rx.bodies().size(), 1u);
}

TEST(Outbox, GivesUpAfterMaxAttempts) {
  Receiver rx({500, 500, 500, 500, 500, 500});
  TestGateway gw(fast_retries());
  auto s = conversation_on(gw, rx.url());
  auto r = reply(gw, s.conversation_id, R"({"text":"hello"})", gw.agent_token());
  auto outcome = wait_delivered(gw, parse(r->body)["id"].asInt64());
  EXPECT_EQ(outcome["status"].asString(), "failed");
  EXPECT_NE(outcome["error"].asString().find("gave up after 4 attempts"), std::string::npos) << omnigate::schema::write_json(outcome);
  EXPECT_EQ(rx.bodies().size(), 4u);
}

TEST(Outbox, PrivateNotesAreNeverSent) {
  Receiver rx;
  TestGateway gw(fast_retries());
  auto s = conversation_on(gw, rx.url());
  auto r = reply(gw, s.conversation_id, R"({"text":"VIP, be nice","private":true})", gw.agent_token());
  ASSERT_EQ(r->status, 201);
  auto note = parse(r->body);
  EXPECT_EQ(note["direction"].asString(), "note");
  EXPECT_EQ(note["delivery_status"].asString(), "none");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(rx.bodies().empty());
  db::PgConnection c(gw.db());
  EXPECT_EQ(c.exec("SELECT count(*) FROM outbox").int64(0, 0), 0);
}

TEST(Outbox, BadRepliesAreRefused) {
  Receiver rx;
  TestGateway gw(fast_retries());
  auto s = conversation_on(gw, rx.url());
  std::string token = gw.agent_token();
  EXPECT_EQ(reply(gw, s.conversation_id, R"({})", token)->status, 400);
  EXPECT_EQ(reply(gw, s.conversation_id, R"({"text":""})", token)->status, 400);
  EXPECT_EQ(reply(gw, s.conversation_id, R"({"parts":[{"type":"hologram"}]})", token)->status, 400);
  EXPECT_EQ(reply(gw, 999999, R"({"text":"x"})", token)->status, 404);
  EXPECT_EQ(reply(gw, s.conversation_id, R"({"text":"x"})", "not-a-token")->status, 401);
}

TEST(Outbox, TwoNodesDeliverEachReplyExactlyOnce) {
  Receiver rx;
  TestGateway node_a(fast_retries());
  auto s = conversation_on(node_a, rx.url());
  // A second gateway on the same database: its dispatcher competes for the same outbox.
  omnigate::gateway::Config cfg_b = fast_retries();
  cfg_b.db = node_a.db();
  auto node_b = std::make_unique<TestGateway>(cfg_b);
  std::string token = node_a.agent_token();
  constexpr int kReplies = 120;
  std::vector<std::thread> agents;
  for (int t = 0; t < 4; ++t)
    agents.emplace_back([&, t] {
      for (int i = 0; i < kReplies / 4; ++i)
        reply(t % 2 ? *node_b : node_a, s.conversation_id,
              R"({"text":"r)" + std::to_string(t) + "-" + std::to_string(i) + R"("})", token);
    });
  for (auto& a : agents) a.join();
  db::PgConnection c(node_a.db());
  for (int i = 0; i < 500 && c.exec("SELECT count(*) FROM outbox").int64(0, 0) > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(c.exec("SELECT count(*) FROM outbox").int64(0, 0), 0);
  EXPECT_EQ(c.exec("SELECT count(*) FROM messages WHERE direction = 'out' AND delivery_status = 'sent'").int64(0, 0), kReplies);
  std::map<std::int64_t, int> deliveries;
  for (const auto& b : rx.bodies()) ++deliveries[parse(b)["message"]["id"].asInt64()];
  EXPECT_EQ(deliveries.size(), static_cast<size_t>(kReplies));
  for (const auto& [id, n] : deliveries) EXPECT_EQ(n, 1) << "message " << id << " delivered " << n << " times";
}

TEST(OutboxEvents, AgentsSeeFailedThenRetriedThenSent) {
  Receiver rx({422});  // the channel refuses the first delivery for good
  TestGateway gw(fast_retries());
  auto s = conversation_on(gw, rx.url());
  std::string token = gw.agent_token();
  auto socket = agent_socket(gw, token);
  auto r = reply(gw, s.conversation_id, R"({"text":"It ships today"})", token);
  ASSERT_EQ(r->status, 201) << r->body;
  std::int64_t id = parse(r->body)["id"].asInt64();

  auto failed = updated_to(*socket, id, "failed");
  ASSERT_TRUE(failed) << "no message.updated with failed";
  EXPECT_EQ((*failed)["conversation"].asInt64(), s.conversation_id);
  EXPECT_EQ((*failed)["message"]["conversation_id"].asInt64(), s.conversation_id);
  EXPECT_EQ((*failed)["message"]["seq"].asInt64(), 2);
  EXPECT_NE((*failed)["message"]["delivery_error"].asString().find("422"), std::string::npos)
      << omnigate::schema::write_json(*failed);

  // Sent again: pending with the error cleared, queued afresh, then sent.
  auto again = retry(gw, s.conversation_id, id, token);
  ASSERT_EQ(again->status, 200) << again->body;
  auto retried = parse(again->body);
  EXPECT_EQ(retried["id"].asInt64(), id);
  EXPECT_EQ(retried["delivery_status"].asString(), "pending");
  EXPECT_FALSE(retried.isMember("delivery_error")) << again->body;
  auto pending = updated_to(*socket, id, "pending");
  ASSERT_TRUE(pending) << "no message.updated with pending after the retry";
  EXPECT_FALSE((*pending)["message"].isMember("delivery_error"));
  auto sent = updated_to(*socket, id, "sent");
  ASSERT_TRUE(sent) << "no message.updated with sent";
  EXPECT_EQ(wait_delivered(gw, id)["status"].asString(), "sent");
  auto bodies = rx.bodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(parse(bodies[1])["message"]["id"].asInt64(), id);
  EXPECT_EQ(parse(bodies[1])["attempt"].asInt(), 1);  // attempts counted afresh

  // Only a failed delivery is sent again.
  auto twice = retry(gw, s.conversation_id, id, token);
  EXPECT_EQ(twice->status, 409) << twice->body;
  EXPECT_EQ(parse(twice->body)["error"]["code"].asString(), "not_failed");
  auto inbound = retry(gw, s.conversation_id, id - 1, token);  // the customer's message
  EXPECT_EQ(inbound->status, 404) << inbound->body;
  EXPECT_EQ(retry(gw, s.conversation_id, 999999, token)->status, 404);
  EXPECT_EQ(retry(gw, s.conversation_id, id, "not-a-token")->status, 401);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(rx.bodies().size(), 2u);
}

TEST(OutboxEvents, ReachAgentsOnAnotherNode) {
  Receiver rx;
  TestGateway node_a(fast_retries());
  auto s = conversation_on(node_a, rx.url());
  omnigate::gateway::Config cfg_b = fast_retries();
  cfg_b.db = node_a.db();
  cfg_b.outbox_workers = 0;  // node a delivers; node b only hears of it
  TestGateway node_b(cfg_b);
  std::string token = node_a.agent_token();
  auto socket = agent_socket(node_b, token);
  auto r = reply(node_a, s.conversation_id, R"({"text":"hello"})", token);
  ASSERT_EQ(r->status, 201) << r->body;
  auto sent = updated_to(*socket, parse(r->body)["id"].asInt64(), "sent");
  ASSERT_TRUE(sent) << "node b's agent never heard of the delivery";
  EXPECT_EQ((*sent)["conversation"].asInt64(), s.conversation_id);
}

TEST(OutboxEvents, AnotherTeamsAgentNeitherHearsNorRetries) {
  Receiver rx({422});
  TestGateway gw(fast_retries());
  auto s = conversation_on(gw, rx.url());
  std::string admin = gw.admin_token();
  auto bearer = [](const std::string& t) { return httplib::Headers{{"Authorization", "Bearer " + t}}; };
  for (const char* team : {R"({"name":"Support"})", R"({"name":"Other"})"})
    ASSERT_EQ(gw.client().Post("/v1/admin/teams", bearer(admin), team, "application/json")->status, 201);
  auto made = gw.client().Post("/v1/admin/users", bearer(admin),
                               R"({"login":"oz","password":"password-oz","role":"agent","teams":["Other"]})",
                               "application/json");
  ASSERT_EQ(made->status, 201) << made->body;
  auto login = gw.client().Post("/v1/auth/login", R"({"login":"oz","password":"password-oz"})", "application/json");
  ASSERT_EQ(login->status, 200) << login->body;
  std::string oz = parse(login->body)["token"].asString();
  auto patch = gw.client().Patch("/v1/conversations/" + std::to_string(s.conversation_id), bearer(admin),
                                 R"({"team":"Support"})", "application/json");
  ASSERT_EQ(patch->status, 200) << patch->body;
  auto oz_socket = agent_socket(gw, oz);
  auto admin_socket = agent_socket(gw, admin);

  auto r = reply(gw, s.conversation_id, R"({"text":"hello"})", admin);
  ASSERT_EQ(r->status, 201) << r->body;
  std::int64_t id = parse(r->body)["id"].asInt64();
  ASSERT_TRUE(updated_to(*admin_socket, id, "failed"));
  EXPECT_EQ(retry(gw, s.conversation_id, id, oz)->status, 404);
  // (A receive that times out ends a test socket, so oz is read last.)
  for (auto e = oz_socket->receive(std::chrono::milliseconds(500)); e;
       e = oz_socket->receive(std::chrono::milliseconds(300)))
    EXPECT_NE((*e)["type"].asString(), "message.updated") << omnigate::schema::write_json(*e);
  // The admin still may.
  EXPECT_EQ(retry(gw, s.conversation_id, id, admin)->status, 200);
}

}  // namespace

// The admin's connection test on channels that have no server of their own
// to log in to: the webhook channel pings its outbound_url, signed; the web
// widget channel has nothing to test.
namespace {

Json::Value connection_test(TestGateway& gw, const Json::Value& channel) {
  auto r = gw.client().Post("/v1/admin/channels/" + channel["id"].asString() + "/test",
                            {{"Authorization", "Bearer " + gw.admin_token()}}, "", "application/json");
  EXPECT_TRUE(r);
  if (!r) return Json::Value();
  EXPECT_EQ(r->status, 200) << r->body;
  return parse(r->body);
}

TEST(ConnectionTest, WebhookChannelPingsItsOutboundUrlSigned) {
  Receiver receiver({503});
  TestGateway gw;
  Json::Value config;
  config["outbound_url"] = receiver.url();
  Json::Value channel = gw.create_channel("webhook", "shop", config);

  Json::Value down = connection_test(gw, channel);
  EXPECT_FALSE(down["ok"].asBool());
  ASSERT_EQ(down["checks"].size(), 1u);
  EXPECT_EQ(down["checks"][0]["name"].asString(), "outbound_url");
  EXPECT_NE(down["checks"][0]["detail"].asString().find("503"), std::string::npos) << down;

  Json::Value up = connection_test(gw, channel);
  EXPECT_TRUE(up["ok"].asBool()) << up;
  auto bodies = receiver.bodies();
  auto signatures = receiver.signatures();
  ASSERT_EQ(bodies.size(), 2u);
  Json::Value ping = parse(bodies[1]);
  EXPECT_EQ(ping["type"].asString(), "ping");
  EXPECT_EQ(ping["channel_id"].asInt64(), channel["id"].asInt64());
  EXPECT_EQ(signatures[1], omnigate::adapters::sign_body(channel["secrets"]["secret"].asString(), bodies[1]));

  db::PgConnection c(gw.db());
  EXPECT_EQ(c.exec("SELECT count(*) FROM messages").int64(0, 0), 0) << "a ping is no message";
}

TEST(ConnectionTest, WidgetChannelsHaveNothingToTest) {
  TestGateway gw;
  Json::Value answer = connection_test(gw, gw.create_channel("web", "site"));
  EXPECT_TRUE(answer["ok"].asBool());
  EXPECT_EQ(answer["checks"].size(), 0u);
  Json::Value webhook_without_url = connection_test(gw, gw.create_channel("webhook", "inbound only"));
  EXPECT_EQ(webhook_without_url["checks"].size(), 0u);
}

}  // namespace
