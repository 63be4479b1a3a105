#include <gtest/gtest.h>

#include "schema/json.h"
#include "tests/support/test_gateway.h"

using omnigate::testing::parse;
using omnigate::testing::TestGateway;

namespace {

httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

void expect_error(const httplib::Result& r, int status, const std::string& code) {
  ASSERT_TRUE(r) << "no answer";
  EXPECT_EQ(r->status, status) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  auto body = parse(r->body);
  EXPECT_EQ(body["error"]["code"].asString(), code) << r->body;
  EXPECT_FALSE(body["error"]["message"].asString().empty());
}

TEST(HttpApi, HealthReadyAndMetrics) {
  TestGateway gw;
  auto c = gw.client();
  auto h = c.Get("/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  auto r = c.Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(parse(r->body)["status"].asString(), "ready");
  auto m = c.Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("# TYPE omnigate_http_request_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(m->body.find("omnigate_http_requests_total{route=\"/readyz\",status=\"200\"} 1"), std::string::npos);
  EXPECT_NE(m->body.find("omnigate_db_pool_size 16"), std::string::npos);
}

TEST(HttpApi, LoginGivesATokenAndRefusesWrongPasswords) {
  TestGateway gw;
  auto c = gw.client();
  expect_error(c.Post("/v1/auth/login", R"({"login":"admin","password":"nope"})", "application/json"), 401,
               "invalid_credentials");
  expect_error(c.Post("/v1/auth/login", R"({"login":"nobody","password":"x"})", "application/json"), 401,
               "invalid_credentials");
  expect_error(c.Post("/v1/auth/login", R"({"login":"admin"})", "application/json"), 400, "bad_request");
  auto ok = c.Post("/v1/auth/login", R"({"login":"admin","password":"admin-password"})", "application/json");
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200);
  auto body = parse(ok->body);
  EXPECT_GE(body["token"].asString().size(), 32u);
  EXPECT_EQ(body["user"]["role"].asString(), "admin");
  EXPECT_FALSE(body["user"].isMember("password_hash"));
}

TEST(HttpApi, RepeatedWrongPasswordsLockTheLogin) {
  TestGateway gw;
  auto c = gw.client();
  for (int i = 0; i < 5; ++i)
    expect_error(c.Post("/v1/auth/login", R"({"login":"agent","password":"guess"})", "application/json"), 401,
                 "invalid_credentials");
  // Even the right password is refused while locked.
  expect_error(c.Post("/v1/auth/login", R"({"login":"agent","password":"agent-password"})", "application/json"), 429,
               "too_many_attempts");
  // Other logins are unaffected.
  EXPECT_EQ(c.Post("/v1/auth/login", R"({"login":"admin","password":"admin-password"})", "application/json")->status, 200);
}

TEST(HttpApi, LogoutRevokesTheToken) {
  TestGateway gw;
  auto c = gw.client();
  std::string token = gw.agent_token();
  EXPECT_EQ(c.Get("/v1/conversations", bearer(token))->status, 200);
  EXPECT_EQ(c.Post("/v1/auth/logout", bearer(token), "", "application/json")->status, 204);
  expect_error(c.Get("/v1/conversations", bearer(token)), 401, "unauthorized");
}

TEST(HttpApi, ChannelAdminLifecycle) {
  TestGateway gw;
  auto c = gw.client();
  std::string admin = gw.admin_token();
  auto created = gw.create_channel("webhook", "Shop events");
  EXPECT_GT(created["id"].asInt64(), 0);
  EXPECT_GE(created["token"].asString().size(), 24u);
  EXPECT_EQ(created["inbound_url"].asString(), "/v1/hooks/" + created["token"].asString());
  EXPECT_GE(created["secrets"]["secret"].asString().size(), 32u);
  std::string path = "/v1/admin/channels/" + created["id"].asString();

  auto list = parse(c.Get("/v1/admin/channels", bearer(admin))->body);
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_TRUE(list["next"].isNull());

  auto patched = c.Patch(path, bearer(admin), R"({"name":"Renamed","enabled":false,"rotate_token":true})", "application/json");
  ASSERT_EQ(patched->status, 200) << patched->body;
  auto p = parse(patched->body);
  EXPECT_EQ(p["name"].asString(), "Renamed");
  EXPECT_FALSE(p["enabled"].asBool());
  EXPECT_NE(p["token"].asString(), created["token"].asString());
  EXPECT_EQ(p["secrets"]["secret"].asString(), created["secrets"]["secret"].asString());

  // The old inbound URL is dead after rotation; the new one says the channel is disabled.
  expect_error(gw.post_signed(created, R"({"contact":{"id":"u"},"text":"x"})"), 404, "not_found");
  expect_error(gw.post_signed(p, R"({"contact":{"id":"u"},"text":"x"})"), 403, "channel_disabled");

  EXPECT_EQ(c.Delete(path, bearer(admin))->status, 204);
  expect_error(c.Get(path, bearer(admin)), 404, "not_found");
  expect_error(c.Delete(path, bearer(admin)), 404, "not_found");
}

TEST(HttpApi, ChannelCreationValidatesInput) {
  TestGateway gw;
  auto c = gw.client();
  auto h = bearer(gw.admin_token());
  expect_error(c.Post("/v1/admin/channels", h, R"({"type":"fax","name":"x"})", "application/json"), 400, "bad_request");
  expect_error(c.Post("/v1/admin/channels", h, R"({"type":"webhook"})", "application/json"), 400, "bad_request");
  expect_error(c.Post("/v1/admin/channels", h, R"({"type":"webhook","name":"x","config":{"outbound_url":"ftp://x"}})",
                      "application/json"),
               400, "invalid_config");
  // Every channel type has an adapter now; each checks its own config.
  expect_error(c.Post("/v1/admin/channels", h, R"({"type":"email","name":"x"})", "application/json"), 400,
               "invalid_config");
  expect_error(c.Post("/v1/admin/channels", h, "{not json", "application/json"), 400, "bad_request");
}

TEST(HttpApi, AgentsCannotUseTheAdminApiOrSeeSecrets) {
  TestGateway gw;
  auto c = gw.client();
  gw.create_channel("webhook", "secret holder");
  auto agent = bearer(gw.agent_token());
  expect_error(c.Get("/v1/admin/channels", agent), 403, "forbidden");
  expect_error(c.Post("/v1/admin/channels", agent, R"({"type":"webhook","name":"x"})", "application/json"), 403,
               "forbidden");
  expect_error(c.Get("/v1/admin/channels"), 401, "unauthorized");
  expect_error(c.Get("/v1/conversations", bearer("made-up-token")), 401, "unauthorized");
}

TEST(HttpApi, UnknownRoutesAndOversizeBodiesGetJsonErrors) {
  omnigate::gateway::Config cfg;
  cfg.max_body_bytes = 4096;
  TestGateway gw(cfg);
  auto ch = gw.create_channel("webhook", "limits");
  auto c = gw.client();
  expect_error(c.Get("/no/such/route"), 404, "not_found");
  std::string big(5000, 'x');
  expect_error(gw.post_signed(ch, big), 413, "payload_too_large");
  // The process is unharmed.
  EXPECT_EQ(c.Get("/healthz")->status, 200);
}

TEST(HttpApi, ConversationsAndHistoryArePaged) {
  TestGateway gw;
  auto ch = gw.create_channel("webhook", "paging");
  for (int contact = 0; contact < 3; ++contact)
    for (int i = 0; i < 4; ++i) {
      Json::Value m;
      m["external_id"] = "e" + std::to_string(contact) + "-" + std::to_string(i);
      m["contact"]["id"] = "contact-" + std::to_string(contact);
      m["text"] = "message " + std::to_string(i);
      ASSERT_EQ(gw.post_signed(ch, omnigate::schema::write_json(m))->status, 200);
    }
  auto c = gw.client();
  auto h = bearer(gw.agent_token());
  std::vector<std::int64_t> ids;
  std::string cursor;
  for (int guard = 0; guard < 10; ++guard) {
    auto r = c.Get("/v1/conversations?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), h);
    ASSERT_EQ(r->status, 200) << r->body;
    auto page = parse(r->body);
    for (const auto& item : page["items"]) ids.push_back(item["id"].asInt64());
    if (page["next"].isNull()) break;
    cursor = page["next"].asString();
  }
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[0], 3);  // most recently active first
  EXPECT_EQ(ids[2], 1);
  expect_error(c.Get("/v1/conversations?cursor=garbage", h), 400, "bad_request");

  auto r = c.Get("/v1/conversations/2/messages?after_seq=1&limit=2", h);
  ASSERT_EQ(r->status, 200);
  auto page = parse(r->body);
  ASSERT_EQ(page["items"].size(), 2u);
  EXPECT_EQ(page["items"][0]["seq"].asInt64(), 2);
  EXPECT_EQ(page["items"][1]["seq"].asInt64(), 3);
  EXPECT_EQ(page["next"].asInt64(), 3);
  auto last = parse(c.Get("/v1/conversations/2/messages?after_seq=3", h)->body);
  EXPECT_EQ(last["items"].size(), 1u);
  EXPECT_TRUE(last["next"].isNull());
  expect_error(c.Get("/v1/conversations/99/messages", h), 404, "not_found");
  expect_error(c.Get("/v1/conversations/2/messages?after_seq=-1", h), 400, "bad_request");
}

}  // namespace

namespace {

TEST(HttpApi, ServesTheWidgetAndTheDemoPage) {
  TestGateway gw;
  auto c = gw.client();
  auto js = c.Get("/widget.js");
  ASSERT_EQ(js->status, 200);
  EXPECT_EQ(js->get_header_value("Content-Type"), "application/javascript; charset=utf-8");
  EXPECT_GT(js->body.size(), 1000u);
  EXPECT_EQ(c.Get("/widget.css")->status, 200);
  expect_error(c.Get("/demo"), 404, "no_web_channel");
  auto channel = gw.create_channel("web", "site");
  std::string key = channel["config"]["key"].asString();
  auto demo = c.Get("/demo");
  ASSERT_EQ(demo->status, 200);
  EXPECT_NE(demo->body.find("data-channel=\"" + key + "\""), std::string::npos);
  EXPECT_EQ(demo->body.find("{{CHANNEL_KEY}}"), std::string::npos);
  expect_error(c.Get("/demo?channel=%3Cscript%3E"), 400, "bad_request");
}

}  // namespace

namespace {

TEST(HttpApi, InboundUrlIsAbsoluteWithPublicUrlAndSecretsRotateByName) {
  omnigate::gateway::Config cfg;
  cfg.public_url = "https://support.example.com";
  TestGateway gw(cfg);
  auto ch = gw.create_channel("webhook", "shop");
  EXPECT_EQ(ch["inbound_url"].asString(), "https://support.example.com/v1/hooks/" + ch["token"].asString());
  auto c = gw.client();
  auto patched = c.Patch("/v1/admin/channels/" + ch["id"].asString(), bearer(gw.admin_token()),
                         R"({"rotate_secrets":["secret"]})", "application/json");
  ASSERT_EQ(patched->status, 200) << patched->body;
  auto p = parse(patched->body);
  EXPECT_NE(p["secrets"]["secret"].asString(), ch["secrets"]["secret"].asString());
  EXPECT_GE(p["secrets"]["secret"].asString().size(), 32u);
  expect_error(c.Patch("/v1/admin/channels/" + ch["id"].asString(), bearer(gw.admin_token()),
                       R"({"rotate_secrets":"yes"})", "application/json"),
               400, "bad_request");
}

}  // namespace
