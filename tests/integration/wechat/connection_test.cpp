// The admin's "test connection" on WeChat channels (POST
// /v1/admin/channels/{id}/test) against the WeChat API stand-in: a token
// from the cache or the token endpoint, then get_api_domain_ip with it; what
// a refused secret or a non-whitelisted server IP tells the admin.
#include "tests/integration/wechat/wechat_fixture.h"

namespace wxtest {
namespace {

Json::Value run_test(TestGateway& gw, std::int64_t channel_id, const std::string& token) {
  auto r = gw.client().Post("/v1/admin/channels/" + std::to_string(channel_id) + "/test",
                            {{"Authorization", "Bearer " + token}}, "", "application/json");
  EXPECT_TRUE(r);
  if (!r) return Json::Value();
  EXPECT_EQ(r->status, 200) << r->body;
  return parse(r->body);
}

void patch_api_base(TestGateway& gw, const WxChannel& ch, const std::string& api_base) {
  Json::Value body(Json::objectValue);
  body["config"] = ch.json["config"];
  body["config"]["api_base"] = api_base;
  auto r = gw.client().Patch("/v1/admin/channels/" + std::to_string(ch.id),
                             {{"Authorization", "Bearer " + gw.admin_token()}}, omnigate::schema::write_json(body),
                             "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
}

std::string names(const Json::Value& answer) {
  std::string out;
  for (const Json::Value& c : answer["checks"]) out += (out.empty() ? "" : ",") + c["name"].asString();
  return out;
}

TEST(WechatConnectionTest, OfficialAccountGetsATokenAndTheApiAcceptsIt) {
  WechatStandin api;
  TestGateway gw;
  WxChannel ch = official_account(gw, &api, "safe");
  std::string admin = gw.admin_token();

  Json::Value answer = run_test(gw, ch.id, admin);
  EXPECT_TRUE(answer["ok"].asBool()) << answer;
  EXPECT_EQ(names(answer), "access_token,api");
  EXPECT_NE(answer["checks"][0]["detail"].asString().find(kAppId), std::string::npos) << answer;
  EXPECT_EQ(answer["checks"][0]["detail"].asString().find(kAppSecret), std::string::npos) << answer;
  ASSERT_EQ(api.count(WechatStandin::kApiDomainIpPath), 1u);
  EXPECT_EQ(api.requests(WechatStandin::kApiDomainIpPath)[0].param("access_token"), api.current_token(kAppId));

  // A second test reuses the cached token: a test never revokes the token
  // replies are being sent with (WeChat invalidates the old one per fetch).
  EXPECT_TRUE(run_test(gw, ch.id, admin)["ok"].asBool());
  EXPECT_EQ(api.count(WechatStandin::kTokenPath), 1u);
  EXPECT_EQ(api.count(WechatStandin::kApiDomainIpPath), 2u);
}

TEST(WechatConnectionTest, AWrongSecretSaysWhereToFixItAndSkipsTheApiCall) {
  WechatStandin api;
  TestGateway gw;
  WxChannel ch = official_account(gw, nullptr, "plain");  // the stand-in does not know this secret...
  api.add_app(kAppId, "a-different-secret");
  patch_api_base(gw, ch, api.base_url());

  Json::Value answer = run_test(gw, ch.id, gw.admin_token());
  EXPECT_FALSE(answer["ok"].asBool());
  EXPECT_EQ(names(answer), "access_token") << "no API call without a token";
  std::string detail = answer["checks"][0]["detail"].asString();
  EXPECT_NE(detail.find("40125"), std::string::npos) << detail;  // invalid appsecret
  EXPECT_NE(detail.find("AppSecret"), std::string::npos) << detail;
  EXPECT_EQ(detail.find(kAppSecret), std::string::npos) << detail;
  EXPECT_EQ(api.count(WechatStandin::kApiDomainIpPath), 0u);
}

TEST(WechatConnectionTest, AServerOutsideTheIpWhitelistIsToldSo) {
  WechatStandin api;
  TestGateway gw;
  WxChannel ch = official_account(gw, &api, "safe");
  api.fail_next_token(40164, "invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist");
  Json::Value answer = run_test(gw, ch.id, gw.admin_token());
  EXPECT_FALSE(answer["ok"].asBool());
  std::string detail = answer["checks"][0]["detail"].asString();
  EXPECT_NE(detail.find("40164"), std::string::npos) << detail;
  EXPECT_NE(detail.find("203.0.113.7"), std::string::npos) << "WeChat's errmsg names the IP: " << detail;
  EXPECT_NE(detail.find("IP白名单"), std::string::npos) << detail;
}

TEST(WechatConnectionTest, ARevokedCachedTokenIsReplacedOnceAndTheTestPasses) {
  WechatStandin api;
  TestGateway gw;
  WxChannel ch = official_account(gw, &api, "safe");
  std::string admin = gw.admin_token();
  ASSERT_TRUE(run_test(gw, ch.id, admin)["ok"].asBool());
  api.revoke_token(api.current_token(kAppId));

  Json::Value answer = run_test(gw, ch.id, admin);
  EXPECT_TRUE(answer["ok"].asBool()) << answer;
  EXPECT_EQ(api.count(WechatStandin::kTokenPath), 2u);
  auto calls = api.requests(WechatStandin::kApiDomainIpPath);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[1].errcode(), 40001);
  EXPECT_EQ(calls[2].errcode(), 0);
}

TEST(WechatConnectionTest, WecomUsesGettokenAndAnUnreachableApiFailsClearly) {
  WechatStandin api;
  TestGateway gw;
  WxChannel ch = wecom(gw, &api);
  std::string admin = gw.admin_token();
  Json::Value answer = run_test(gw, ch.id, admin);
  EXPECT_TRUE(answer["ok"].asBool()) << answer;
  EXPECT_EQ(api.count(WechatStandin::kWecomTokenPath), 1u);
  EXPECT_EQ(api.count(WechatStandin::kApiDomainIpPath), 1u);

  WxChannel down = official_account(gw, nullptr, "plain", "wx00000000000000aa");
  patch_api_base(gw, down, "http://127.0.0.1:9");  // the discard port: connection refused
  Json::Value failed = run_test(gw, down.id, admin);
  EXPECT_FALSE(failed["ok"].asBool());
  EXPECT_EQ(names(failed), "access_token");
  EXPECT_NE(failed["checks"][0]["detail"].asString().find("access_token request failed"), std::string::npos) << failed;
}

TEST(WechatConnectionTest, OnlyAdminsMayTestAndUnknownChannelsAre404) {
  WechatStandin api;
  TestGateway gw;
  WxChannel ch = official_account(gw, &api, "safe");
  auto agent = gw.client().Post("/v1/admin/channels/" + std::to_string(ch.id) + "/test",
                                {{"Authorization", "Bearer " + gw.agent_token()}}, "", "application/json");
  ASSERT_TRUE(agent);
  EXPECT_EQ(agent->status, 403) << agent->body;
  auto missing = gw.client().Post("/v1/admin/channels/999999/test", {{"Authorization", "Bearer " + gw.admin_token()}},
                                  "", "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404) << missing->body;
  EXPECT_EQ(api.count(WechatStandin::kTokenPath), 0u);
}

}  // namespace
}  // namespace wxtest
