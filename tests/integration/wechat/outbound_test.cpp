// Agent replies on an Official Account channel over real HTTP: the outbox
// dispatcher sends them through the Customer Service API of the WeChat
// stand-in, with the access-token dance and WeChat's errcodes mapped to
// delivery states.
#include <set>

#include "tests/integration/wechat/wechat_fixture.h"

namespace wxtest {
namespace {

// A channel whose API is the stand-in, and a conversation with kOpenId.
struct Conversation {
  WxChannel channel;
  std::int64_t conversation_id = 0;
  std::string agent_token;
};

Conversation conversation(TestGateway& gw, WechatStandin& api, const std::string& openid = kOpenId) {
  Conversation s;
  s.channel = official_account(gw, &api, "safe");
  auto r = post(gw, s.channel, encrypted_callback(s.channel, text_xml(kAccount, openid, "在吗？", "880001"), {}, openid));
  EXPECT_EQ(r->body, "success");
  s.conversation_id = stored_message(gw, s.channel.id, "880001")["conversation_id"].asInt64();
  EXPECT_GT(s.conversation_id, 0);
  s.agent_token = gw.agent_token();
  return s;
}

std::int64_t reply_id(TestGateway& gw, const Conversation& s, const std::string& text) {
  auto r = reply(gw, s.conversation_id, text, s.agent_token);
  EXPECT_TRUE(r);
  EXPECT_EQ(r->status, 201) << r->body;
  return parse(r->body)["id"].asInt64();
}

Json::Value custom_text(const std::string& openid, const std::string& content) {
  Json::Value j(Json::objectValue);
  j["touser"] = openid;
  j["msgtype"] = "text";
  j["text"]["content"] = content;
  return j;
}

size_t accepted_with(const WechatStandin& api, const std::string& content) {
  size_t n = 0;
  for (const auto& r : api.accepted_sends())
    if (r.json["text"]["content"].asString() == content) ++n;
  return n;
}

TEST(WechatOutbound, AgentReplyReachesTheCustomerServiceApiAsExactJson) {
  WechatStandin api;
  TestGateway gw(fast_retries());
  Conversation s = conversation(gw, api);
  const std::string text = "您好！订单今天发货 🚚\n第二行 \"引号\" & <b>";
  std::int64_t id = reply_id(gw, s, text);

  DeliveryState d = wait_delivered(gw, id);
  EXPECT_EQ(d.status, "sent") << d.error;
  EXPECT_EQ(d.error, "");

  // One token request with the channel's credentials...
  auto tokens = api.requests(WechatStandin::kTokenPath);
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].method, "GET");
  EXPECT_EQ(tokens[0].param("grant_type"), "client_credential");
  EXPECT_EQ(tokens[0].param("appid"), kAppId);
  EXPECT_EQ(tokens[0].param("secret"), kAppSecret);
  // ...and exactly one custom/send, with exactly WeChat's JSON and that token.
  auto sends = api.requests(WechatStandin::kCustomSendPath);
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0].method, "POST");
  EXPECT_EQ(sends[0].json, custom_text(kOpenId, text)) << sends[0].body;
  EXPECT_EQ(sends[0].json.getMemberNames().size(), 3u) << sends[0].body;
  EXPECT_FALSE(sends[0].param("access_token").empty());
  EXPECT_EQ(sends[0].param("access_token"), api.current_token(kAppId));
  EXPECT_EQ(sends[0].errcode(), 0) << omnigate::schema::write_json(sends[0].answer);

  // The agent sees it sent.
  auto page = gw.client().Get("/v1/conversations/" + std::to_string(s.conversation_id) + "/messages",
                              {{"Authorization", "Bearer " + s.agent_token}});
  auto items = parse(page->body)["items"];
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1]["id"].asInt64(), id);
  EXPECT_EQ(items[1]["direction"].asString(), "out");
  EXPECT_EQ(items[1]["delivery_status"].asString(), "sent");

  // A second reply reuses the cached token.
  std::int64_t id2 = reply_id(gw, s, "还有别的问题吗？");
  EXPECT_EQ(wait_delivered(gw, id2).status, "sent");
  EXPECT_EQ(api.count(WechatStandin::kTokenPath), 1u);
  EXPECT_EQ(api.count(WechatStandin::kCustomSendPath), 2u);
}

TEST(WechatOutbound, TokenRevokedOrExpiredMidStreamCostsOneRefreshAndLosesNoReply) {
  WechatStandin api;
  TestGateway gw(fast_retries());
  Conversation s = conversation(gw, api);

  std::int64_t first = reply_id(gw, s, "reply one");
  ASSERT_EQ(wait_delivered(gw, first).status, "sent");
  ASSERT_EQ(api.count(WechatStandin::kTokenPath), 1u);
  const std::string t1 = api.current_token(kAppId);

  // WeChat invalidates the token (another system fetched a new one, the
  // admin reset the AppSecret...): answered 40001 from now on.
  api.revoke_token(t1);
  std::int64_t second = reply_id(gw, s, "reply two");
  DeliveryState d2 = wait_delivered(gw, second);
  EXPECT_EQ(d2.status, "sent") << d2.error;
  EXPECT_EQ(api.count(WechatStandin::kTokenPath), 2u);  // exactly one refresh
  const std::string t2 = api.current_token(kAppId);
  EXPECT_NE(t2, t1);
  auto sends = api.requests(WechatStandin::kCustomSendPath);
  ASSERT_EQ(sends.size(), 3u);
  EXPECT_EQ(sends[1].param("access_token"), t1);
  EXPECT_EQ(sends[1].errcode(), 40001);
  EXPECT_EQ(sends[2].param("access_token"), t2);
  EXPECT_EQ(sends[2].errcode(), 0);
  EXPECT_EQ(sends[2].json, custom_text(kOpenId, "reply two"));
  EXPECT_EQ(accepted_with(api, "reply two"), 1u);  // sent once

  // The token runs out (42001): the same, one refresh.
  api.expire_token(t2);
  std::int64_t third = reply_id(gw, s, "reply three");
  EXPECT_EQ(wait_delivered(gw, third).status, "sent");
  EXPECT_EQ(api.count(WechatStandin::kTokenPath), 3u);
  sends = api.requests(WechatStandin::kCustomSendPath);
  ASSERT_EQ(sends.size(), 5u);
  EXPECT_EQ(sends[3].errcode(), 42001);
  EXPECT_EQ(sends[4].errcode(), 0);
  EXPECT_EQ(sends[4].param("access_token"), api.current_token(kAppId));
  EXPECT_EQ(accepted_with(api, "reply three"), 1u);
  EXPECT_EQ(accepted_with(api, "reply one"), 1u);
}

TEST(WechatOutbound, TokenIsRefreshedBeforeItExpires) {
  WechatStandin api;
  api.set_expires_in(2);  // the manager refreshes halfway through so short a lifetime
  TestGateway gw(fast_retries());
  Conversation s = conversation(gw, api);
  ASSERT_EQ(wait_delivered(gw, reply_id(gw, s, "one")).status, "sent");
  const std::string t1 = api.current_token(kAppId);
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  ASSERT_EQ(wait_delivered(gw, reply_id(gw, s, "two")).status, "sent");
  EXPECT_EQ(api.count(WechatStandin::kTokenPath), 2u);
  auto sends = api.requests(WechatStandin::kCustomSendPath);
  ASSERT_EQ(sends.size(), 2u);  // no send was refused: the old token was never used past its time
  EXPECT_EQ(sends[0].param("access_token"), t1);
  EXPECT_NE(sends[1].param("access_token"), t1);
  EXPECT_EQ(sends[1].errcode(), 0);
}

TEST(WechatOutbound, ManyRepliesAfterARevocationShareOneRefresh) {
  WechatStandin api;
  omnigate::gateway::Config cfg = fast_retries();
  cfg.outbox_workers = 4;
  TestGateway gw(cfg);
  Conversation s = conversation(gw, api);
  ASSERT_EQ(wait_delivered(gw, reply_id(gw, s, "warm")).status, "sent");
  api.revoke_token(api.current_token(kAppId));

  constexpr int kReplies = 12;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < kReplies; ++i) ids.push_back(reply_id(gw, s, "burst " + std::to_string(i)));
  for (auto id : ids) EXPECT_EQ(wait_delivered(gw, id).status, "sent");
  EXPECT_EQ(api.count(WechatStandin::kTokenPath), 2u);  // single flight: one refresh for all
  for (int i = 0; i < kReplies; ++i) EXPECT_EQ(accepted_with(api, "burst " + std::to_string(i)), 1u) << i;
}

TEST(WechatOutbound, OutsideThe48HourWindowIsFailedWithTheReason) {
  WechatStandin api;
  TestGateway gw(fast_retries());
  Conversation s = conversation(gw, api);
  api.fail_next_send(45015);
  std::int64_t id = reply_id(gw, s, "sorry for the late answer");
  DeliveryState d = wait_delivered(gw, id);
  EXPECT_EQ(d.status, "failed");
  EXPECT_NE(d.error.find("48-hour"), std::string::npos) << d.error;
  EXPECT_NE(d.error.find("45015"), std::string::npos) << d.error;
  EXPECT_EQ(d.attempts, -1);  // no outbox row left: it is not retried
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(api.count(WechatStandin::kCustomSendPath), 1u);

  // The agent sees the reason.
  auto page = gw.client().Get("/v1/conversations/" + std::to_string(s.conversation_id) + "/messages",
                              {{"Authorization", "Bearer " + s.agent_token}});
  auto m = parse(page->body)["items"][1];
  EXPECT_EQ(m["delivery_status"].asString(), "failed");
  EXPECT_NE(m["delivery_error"].asString().find("48-hour"), std::string::npos) << m["delivery_error"].asString();

  // The next reply (once the user writes again) goes out normally.
  std::int64_t next = reply_id(gw, s, "second try");
  EXPECT_EQ(wait_delivered(gw, next).status, "sent");
}

TEST(WechatOutbound, QuotaExhaustedIsRetriedLaterThenSent) {
  WechatStandin api;
  TestGateway gw(fast_retries());
  Conversation s = conversation(gw, api);
  api.fail_next_send(45009);
  const std::string text = "quota test";
  std::int64_t id = reply_id(gw, s, text);

  // The first attempt is answered 45009: the message stays pending with the
  // reason, and the next attempt is scheduled well in the future (the daily
  // quota does not come back in milliseconds).
  ASSERT_TRUE(api.wait_for(WechatStandin::kCustomSendPath, 1));
  DeliveryState d;
  for (int i = 0; i < 250; ++i) {
    d = delivery_state(gw, id);
    if (!d.error.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(d.status, "pending");
  EXPECT_NE(d.error.find("quota"), std::string::npos) << d.error;
  EXPECT_NE(d.error.find("45009"), std::string::npos) << d.error;
  EXPECT_EQ(d.attempts, 1);
  db::PgConnection c(gw.db());
  auto wait_s = c.exec("SELECT extract(epoch FROM next_attempt_at - now()) FROM outbox WHERE message_id = $1",
                       {std::to_string(id)});
  ASSERT_EQ(wait_s.rows(), 1);
  double seconds = std::stod(wait_s.str(0, 0));
  EXPECT_GT(seconds, 50 * 60) << "next attempt in " << seconds << " s";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(api.count(WechatStandin::kCustomSendPath), 1u);

  // Time passes (the row is made due), the retry goes out and is sent.
  c.exec("UPDATE outbox SET next_attempt_at = now() WHERE message_id = $1", {std::to_string(id)});
  DeliveryState done = wait_delivered(gw, id);
  EXPECT_EQ(done.status, "sent") << done.error;
  EXPECT_EQ(done.error, "");
  auto sends = api.requests(WechatStandin::kCustomSendPath);
  ASSERT_EQ(sends.size(), 2u);
  EXPECT_EQ(sends[0].errcode(), 45009);
  EXPECT_EQ(sends[1].errcode(), 0);
  EXPECT_EQ(sends[1].json, custom_text(kOpenId, text));
  EXPECT_EQ(accepted_with(api, text), 1u);
}

TEST(WechatOutbound, RefusedCredentialsFailWithTheReason) {
  WechatStandin api;
  TestGateway gw(fast_retries());
  Conversation s = conversation(gw, api);
  api.add_app(kAppId, "the-admin-reset-the-secret");  // the channel's AppSecret is now wrong
  std::int64_t id = reply_id(gw, s, "hello");
  DeliveryState d = wait_delivered(gw, id);
  EXPECT_EQ(d.status, "failed");
  EXPECT_NE(d.error.find("40125"), std::string::npos) << d.error;
  EXPECT_EQ(api.count(WechatStandin::kCustomSendPath), 0u);
}

}  // namespace
}  // namespace wxtest
