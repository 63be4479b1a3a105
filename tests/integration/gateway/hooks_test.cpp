#include <gtest/gtest.h>

#include <thread>

#include "adapters/webhook/webhook_adapter.h"
#include "gateway/db/pg.h"
#include "schema/json.h"
#include "tests/support/test_gateway.h"

using omnigate::testing::parse;
using omnigate::testing::TestGateway;
namespace db = omnigate::db;

namespace {

std::int64_t count_messages(const TestGateway& gw) {
  db::PgConnection c(gw.db());
  return c.exec("SELECT count(*) FROM messages").int64(0, 0);
}

const std::string kBody = R"({"external_id":"order-42","contact":{"id":"cust-7","name":"李雷"},"text":"我的快递到哪了？"})";

TEST(Hooks, SignedMessageIsStoredThenAcknowledged) {
  TestGateway gw;
  auto ch = gw.create_channel("webhook", "shop");
  auto r = gw.post_signed(ch, kBody);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto body = parse(r->body);
  ASSERT_EQ(body["messages"].size(), 1u);
  EXPECT_EQ(body["messages"][0]["seq"].asInt64(), 1);
  EXPECT_FALSE(body["messages"][0]["duplicate"].asBool());
  EXPECT_EQ(count_messages(gw), 1);

  auto c = gw.client();
  auto history = parse(c.Get("/v1/conversations/" + body["messages"][0]["conversation_id"].asString() + "/messages",
                             {{"Authorization", "Bearer " + gw.agent_token()}})
                           ->body);
  EXPECT_EQ(history["items"][0]["parts"][0]["text"].asString(), "我的快递到哪了？");
  EXPECT_EQ(history["items"][0]["sender"]["name"].asString(), "李雷");
}

TEST(Hooks, BadOrMissingSignaturesAre401AndWriteNothing) {
  TestGateway gw;
  auto ch = gw.create_channel("webhook", "shop");
  auto c = gw.client();
  std::string url = "/v1/hooks/" + ch["token"].asString();
  auto missing = c.Post(url, kBody, "application/json");
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(parse(missing->body)["error"]["code"].asString(), "bad_signature");
  auto wrong_key = c.Post(url, {{"X-Omnigate-Signature", omnigate::adapters::sign_body("not-the-secret", kBody)}},
                          kBody, "application/json");
  EXPECT_EQ(wrong_key->status, 401);
  std::string tampered = kBody;
  tampered.replace(tampered.find("order-42"), 8, "order-43");
  auto altered = c.Post(url, {{"X-Omnigate-Signature", omnigate::adapters::sign_body(ch["secrets"]["secret"].asString(), kBody)}},
                        tampered, "application/json");
  EXPECT_EQ(altered->status, 401);
  EXPECT_EQ(count_messages(gw), 0);
}

TEST(Hooks, ReplayedRequestsNeverMakeASecondMessage) {
  TestGateway gw;
  auto ch = gw.create_channel("webhook", "shop");
  auto first = parse(gw.post_signed(ch, kBody)->body);
  for (int i = 0; i < 3; ++i) {
    auto again = gw.post_signed(ch, kBody);
    ASSERT_EQ(again->status, 200);
    auto body = parse(again->body);
    EXPECT_TRUE(body["messages"][0]["duplicate"].asBool());
    EXPECT_EQ(body["messages"][0]["id"], first["messages"][0]["id"]);
  }
  EXPECT_EQ(count_messages(gw), 1);

  // A signed body carrying a timestamp outside the window is refused outright.
  Json::Value old = parse(kBody);
  old["external_id"] = "stale";
  old["timestamp"] = Json::Int64(std::time(nullptr) - 3600);
  auto stale = gw.post_signed(ch, omnigate::schema::write_json(old));
  EXPECT_EQ(stale->status, 401);
  EXPECT_NE(parse(stale->body)["error"]["message"].asString().find("timestamp"), std::string::npos);
  EXPECT_EQ(count_messages(gw), 1);
}

TEST(Hooks, BadJsonIs400WithTheErrorBody) {
  TestGateway gw;
  auto ch = gw.create_channel("webhook", "shop");
  auto r = gw.post_signed(ch, "{\"contact\": ");
  ASSERT_EQ(r->status, 400);
  auto e = parse(r->body)["error"];
  EXPECT_EQ(e["code"].asString(), "bad_request");
  EXPECT_NE(e["message"].asString().find("JSON"), std::string::npos);
  auto no_contact = gw.post_signed(ch, R"({"text":"hi"})");
  ASSERT_EQ(no_contact->status, 400);
  EXPECT_NE(parse(no_contact->body)["error"]["message"].asString().find("contact.id"), std::string::npos);
  EXPECT_EQ(count_messages(gw), 0);
}

TEST(Hooks, UnknownTokenIs404) {
  TestGateway gw;
  auto r = gw.client().Post("/v1/hooks/this-token-does-not-exist", kBody, "application/json");
  ASSERT_EQ(r->status, 404);
  EXPECT_EQ(parse(r->body)["error"]["code"].asString(), "not_found");
}

TEST(Hooks, ConcurrentRetriesOfOneMessageStoreItOnce) {
  TestGateway gw;
  auto ch = gw.create_channel("webhook", "shop");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i)
        if (gw.post_signed(ch, kBody)->status == 200) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 80);
  EXPECT_EQ(count_messages(gw), 1);
}

TEST(Hooks, SlowStoreGets503NeverASuccessForAnUnsavedMessage) {
  omnigate::gateway::Config cfg;
  cfg.ingest_timeout_ms = 300;
  TestGateway gw(cfg);
  auto ch = gw.create_channel("webhook", "shop");
  // Hold a lock on the conversations table so the insert cannot proceed.
  ASSERT_EQ(gw.post_signed(ch, R"({"external_id":"warm","contact":{"id":"slow"},"text":"x"})")->status, 200);
  db::PgConnection blocker(gw.db());
  blocker.exec("BEGIN");
  blocker.exec("LOCK TABLE conversations IN EXCLUSIVE MODE");
  auto started = std::chrono::steady_clock::now();
  auto r = gw.post_signed(ch, R"({"external_id":"late","contact":{"id":"slow"},"text":"y"})");
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(r->status, 503) << r->body;
  EXPECT_EQ(parse(r->body)["error"]["code"].asString(), "store_timeout");
  EXPECT_LT(took, std::chrono::seconds(3));
  blocker.exec("ROLLBACK");
  // The retry the channel makes succeeds, and the message exists once.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto retry = gw.post_signed(ch, R"({"external_id":"late","contact":{"id":"slow"},"text":"y"})");
  ASSERT_EQ(retry->status, 200);
  db::PgConnection c(gw.db());
  EXPECT_EQ(c.exec("SELECT count(*) FROM messages WHERE external_id = 'late'").int64(0, 0), 1);
}

}  // namespace
