// The access-token manager, deliver() and the 微信客服 sync client against a
// local stand-in for WeChat's API on 127.0.0.1 that speaks its real JSON.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "adapters/wechat/access_token.h"
#include "adapters/wechat/kf_client.h"
#include "adapters/wechat/send.h"
#include "adapters/wechat/wechat_adapter.h"
#include "schema/json.h"

namespace omnigate::adapters::wechat {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAppId = "wx2c2769f8efd9abc2";
constexpr const char* kSecret = "app-secret-1";

// What WeChat's API does, as far as these tests need it.
class StandIn {
 public:
  StandIn() {
    server_.Get("/cgi-bin/token", [this](const httplib::Request& req, httplib::Response& res) {
      bool ok = req.get_param_value("grant_type") == "client_credential" && req.get_param_value("appid") == kAppId &&
                req.get_param_value("secret") == kSecret;
      issue(ok, res);
    });
    server_.Get("/cgi-bin/gettoken", [this](const httplib::Request& req, httplib::Response& res) {
      issue(req.get_param_value("corpid") == "ww5823bf96d3bd5549" && req.get_param_value("corpsecret") == kSecret,
            res);
    });
    auto api = [this](const std::string& name) {
      return [this, name](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lk(mu_);
        calls.push_back({name, req.get_param_value("access_token"), req.body});
        std::string token = req.get_param_value("access_token");
        if (!valid_.count(token)) {
          res.set_content(R"({"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest"})",
                          "application/json");
          return;
        }
        if (name == "sync_msg") return sync_page(req, res);
        if (next_errcode != 0) {
          res.set_content("{\"errcode\":" + std::to_string(next_errcode) + ",\"errmsg\":\"" + next_errmsg + "\"}",
                          "application/json");
          return;
        }
        res.set_content(name == "kf_send" ? R"({"errcode":0,"errmsg":"ok","msgid":"MSG_FROM_WECHAT_1"})"
                                          : R"({"errcode":0,"errmsg":"ok"})",
                        "application/json");
      };
    };
    server_.Post("/cgi-bin/message/custom/send", api("custom_send"));
    server_.Post("/cgi-bin/kf/send_msg", api("kf_send"));
    server_.Post("/cgi-bin/kf/sync_msg", api("sync_msg"));
    // The HTTP client keeps its connection alive (one curl handle per
    // thread), and stop() waits for an idle keep-alive connection to time
    // out (5 s): one request per connection keeps each test quick.
    server_.set_keep_alive_max_count(1);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // bind_to_any_port already listens: connections queue until the loop runs.
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~StandIn() {
    server_.stop();
    thread_.join();
  }

  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // WeChat revokes the previous token when a new one is fetched elsewhere.
  void revoke_all() {
    std::lock_guard lk(mu_);
    valid_.clear();
  }
  int token_requests() const { return token_requests_.load(); }

  struct Call {
    std::string api, access_token, body;
  };
  std::vector<Call> calls;  // read after the client returned
  long next_errcode = 0;
  std::string next_errmsg;
  std::chrono::milliseconds token_delay{0};

 private:
  void issue(bool ok, httplib::Response& res) {
    ++token_requests_;
    std::this_thread::sleep_for(token_delay);
    if (!ok) {
      res.set_content(R"({"errcode":40125,"errmsg":"invalid appsecret, view more at http://t.cn/RAEkdVq"})",
                      "application/json");
      return;
    }
    std::lock_guard lk(mu_);
    std::string token = "ACCESS_TOKEN_" + std::to_string(++issued_);
    valid_.insert(token);
    res.set_content(R"({"access_token":")" + token + R"(","expires_in":7200})", "application/json");
  }

  // Three pages: "" -> c1 -> c2 -> end, two messages on each.
  void sync_page(const httplib::Request& req, httplib::Response& res) {
    Json::Value in = schema::parse_json(req.body);
    std::string cursor = in.get("cursor", "").asString();
    int page = cursor.empty() ? 0 : cursor == "c1" ? 1 : 2;
    Json::Value out(Json::objectValue);
    out["errcode"] = 0;
    out["errmsg"] = "ok";
    out["next_cursor"] = "c" + std::to_string(page + 1);
    out["has_more"] = page < 2 ? 1 : 0;
    out["msg_list"] = Json::Value(Json::arrayValue);
    for (int i = 0; i < 2; ++i) {
      Json::Value m(Json::objectValue);
      m["msgid"] = "msg_" + std::to_string(page) + "_" + std::to_string(i);
      m["open_kfid"] = "wkOPEN";
      m["external_userid"] = "wmUSER";
      m["send_time"] = 1615478585 + page * 10 + i;
      m["origin"] = 3;
      m["msgtype"] = "text";
      m["text"]["content"] = "第" + std::to_string(page) + "页";
      out["msg_list"].append(m);
    }
    res.set_content(schema::write_json(out), "application/json");
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::set<std::string> valid_;
  int issued_ = 0;
  std::atomic<int> token_requests_{0};
};

class WechatApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Loopback only, whatever proxy the environment sets.
    setenv("no_proxy", "127.0.0.1,localhost", 1);
    setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  }

  TokenCredentials creds() const { return {Flavor::official_account, wx.base(), kAppId, kSecret}; }

  schema::Channel channel() const {
    schema::Channel c;
    c.id = 5;
    c.type = schema::ChannelType::wechat;
    c.config["app_id"] = kAppId;
    c.config["api_base"] = wx.base();
    c.secrets["token"] = "tok123";
    c.secrets["app_secret"] = kSecret;
    return c;
  }

  static Outbound text_reply(const std::string& text, const std::string& to = "oUser") {
    Outbound o;
    o.message.id = 901;
    o.message.direction = schema::Direction::out;
    o.message.sender = {schema::SenderType::agent, "17", "Agent"};
    schema::Part p;
    p.type = schema::PartType::text;
    p.text = text;
    o.message.parts.push_back(p);
    o.recipient_id = to;
    return o;
  }

  StandIn wx;
};

// ---- access tokens -----------------------------------------------------

TEST_F(WechatApi, TokenIsFetchedOnceAndCached) {
  AccessTokenManager m;
  EXPECT_EQ(m.get(creds()), "ACCESS_TOKEN_1");
  EXPECT_EQ(m.get(creds()), "ACCESS_TOKEN_1");
  EXPECT_EQ(wx.token_requests(), 1);
  EXPECT_EQ(m.fetches(), 1u);
}

TEST_F(WechatApi, TokenIsRefreshedFiveMinutesBeforeExpiry) {
  auto t = std::chrono::steady_clock::now();
  AccessTokenManager m(5s, [&t] { return t; });
  EXPECT_EQ(m.get(creds()), "ACCESS_TOKEN_1");
  t += 7200s - 300s - 1s;
  EXPECT_EQ(m.get(creds()), "ACCESS_TOKEN_1");
  t += 2s;
  EXPECT_EQ(m.get(creds()), "ACCESS_TOKEN_2");
  EXPECT_EQ(wx.token_requests(), 2);
}

TEST_F(WechatApi, ManyConcurrentCallersShareOneRefresh) {
  wx.token_delay = 200ms;  // long enough for every caller to pile up
  AccessTokenManager m;
  std::vector<std::thread> threads;
  std::vector<std::string> got(8);
  for (int i = 0; i < 8; ++i) threads.emplace_back([&, i] { got[static_cast<size_t>(i)] = m.get(creds()); });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wx.token_requests(), 1);
  for (const auto& g : got) EXPECT_EQ(g, "ACCESS_TOKEN_1");
}

TEST_F(WechatApi, InvalidateDropsOnlyTheStaleToken) {
  AccessTokenManager m;
  std::string first = m.get(creds());
  m.invalidate(creds(), first);
  std::string second = m.get(creds());
  EXPECT_NE(first, second);
  m.invalidate(creds(), first);  // a late caller with the old token: no effect
  EXPECT_EQ(m.get(creds()), second);
  EXPECT_EQ(wx.token_requests(), 2);
}

TEST_F(WechatApi, RefusedCredentialsAreNotRetryable) {
  AccessTokenManager m;
  TokenCredentials bad = creds();
  bad.secret = "wrong";
  try {
    m.get(bad);
    FAIL();
  } catch (const TokenError& e) {
    EXPECT_FALSE(e.retryable());
    EXPECT_EQ(e.errcode(), 40125);
    EXPECT_EQ(std::string(e.what()).find("wrong"), std::string::npos);  // never echoes the secret
  }
}

TEST_F(WechatApi, WecomUsesGettoken) {
  AccessTokenManager m;
  EXPECT_EQ(m.get({Flavor::wecom, wx.base(), "ww5823bf96d3bd5549", kSecret}), "ACCESS_TOKEN_1");
}

// ---- deliver ----------------------------------------------------------------

TEST_F(WechatApi, TextReplyGoesOutAsTheExactCustomSendJson) {
  WechatAdapter a(schema::ChannelType::wechat);
  Delivery d = a.deliver(channel(), text_reply("您好，已为您查询 \"订单\" 状态"));
  EXPECT_EQ(d.outcome, Delivery::Outcome::sent) << d.error;
  ASSERT_EQ(wx.calls.size(), 1u);
  EXPECT_EQ(wx.calls[0].api, "custom_send");
  EXPECT_EQ(wx.calls[0].access_token, "ACCESS_TOKEN_1");
  Json::Value expected(Json::objectValue);
  expected["touser"] = "oUser";
  expected["msgtype"] = "text";
  expected["text"]["content"] = "您好，已为您查询 \"订单\" 状态";
  EXPECT_EQ(schema::parse_json(wx.calls[0].body), expected) << wx.calls[0].body;
  // UTF-8 on the wire, not \u escapes.
  EXPECT_NE(wx.calls[0].body.find("您好"), std::string::npos);
}

TEST_F(WechatApi, ImageReplyByMediaId) {
  WechatAdapter a(schema::ChannelType::wechat);
  Outbound o = text_reply("");
  o.message.parts[0] = schema::Part{};
  o.message.parts[0].type = schema::PartType::image;
  o.message.parts[0].media_id = "MEDIA_ID_9";
  EXPECT_EQ(a.deliver(channel(), o).outcome, Delivery::Outcome::sent);
  EXPECT_EQ(schema::parse_json(wx.calls.at(0).body),
            schema::parse_json(R"({"touser":"oUser","msgtype":"image","image":{"media_id":"MEDIA_ID_9"}})"));
}

TEST_F(WechatApi, ExpiredTokenMidStreamIsRefreshedOnceAndTheReplyRetried) {
  WechatAdapter a(schema::ChannelType::wechat);
  ASSERT_EQ(a.deliver(channel(), text_reply("one")).outcome, Delivery::Outcome::sent);
  wx.revoke_all();  // e.g. another system fetched a token for this app
  Delivery d = a.deliver(channel(), text_reply("two"));
  EXPECT_EQ(d.outcome, Delivery::Outcome::sent) << d.error;
  EXPECT_EQ(wx.token_requests(), 2);
  ASSERT_EQ(wx.calls.size(), 3u);  // one, two (40001), two again
  EXPECT_EQ(wx.calls[1].access_token, "ACCESS_TOKEN_1");
  EXPECT_EQ(wx.calls[2].access_token, "ACCESS_TOKEN_2");
  EXPECT_EQ(wx.calls[2].body, wx.calls[1].body);
}

TEST_F(WechatApi, OutsideThe48HourWindowFailsWithAClearReason) {
  wx.next_errcode = 45015;
  wx.next_errmsg = "response out of time limit or subscription is canceled";
  WechatAdapter a(schema::ChannelType::wechat);
  Delivery d = a.deliver(channel(), text_reply("late"));
  EXPECT_EQ(d.outcome, Delivery::Outcome::failed);
  EXPECT_NE(d.error.find("48-hour"), std::string::npos) << d.error;
  EXPECT_NE(d.error.find("unsubscribed"), std::string::npos) << d.error;
}

TEST_F(WechatApi, QuotaErrorsRetryLater) {
  WechatAdapter a(schema::ChannelType::wechat);
  for (long code : {45009L, 45047L, 45011L}) {
    wx.next_errcode = code;
    Delivery d = a.deliver(channel(), text_reply("x"));
    EXPECT_EQ(d.outcome, Delivery::Outcome::retry) << code;
    EXPECT_GE(d.retry_after, 60s) << code;
    EXPECT_NE(d.error.find(std::to_string(code)), std::string::npos);
  }
  wx.next_errcode = 40003;
  wx.next_errmsg = "invalid openid";
  Delivery d = a.deliver(channel(), text_reply("x"));
  EXPECT_EQ(d.outcome, Delivery::Outcome::failed);
  EXPECT_NE(d.error.find("invalid openid"), std::string::npos);
}

TEST_F(WechatApi, NetworkRefusedRetriesWithBackoff) {
  WechatAdapter a(schema::ChannelType::wechat);
  schema::Channel c = channel();
  c.config["api_base"] = "http://127.0.0.1:1";  // nothing listens there
  Outbound o = text_reply("x");
  Delivery d1 = a.deliver(c, o);
  EXPECT_EQ(d1.outcome, Delivery::Outcome::retry);
  o.attempt = 3;
  Delivery d3 = a.deliver(c, o);
  EXPECT_EQ(d3.outcome, Delivery::Outcome::retry);
  EXPECT_GT(d3.retry_after, d1.retry_after);
}

TEST_F(WechatApi, UnsendableMessagesFailWithoutCallingWechat) {
  WechatAdapter a(schema::ChannelType::wechat);
  Outbound no_recipient = text_reply("x", "");
  EXPECT_EQ(a.deliver(channel(), no_recipient).outcome, Delivery::Outcome::failed);
  Outbound file = text_reply("x");
  file.message.parts[0].type = schema::PartType::file;
  EXPECT_EQ(a.deliver(channel(), file).outcome, Delivery::Outcome::failed);
  Outbound url_image = text_reply("x");
  url_image.message.parts[0].type = schema::PartType::image;
  url_image.message.parts[0].url = "https://example.com/a.png";
  Delivery d = a.deliver(channel(), url_image);
  EXPECT_EQ(d.outcome, Delivery::Outcome::failed);
  EXPECT_NE(d.error.find("media_id"), std::string::npos);
  schema::Channel no_secret = channel();
  no_secret.secrets.removeMember("app_secret");
  EXPECT_EQ(a.deliver(no_secret, text_reply("x")).outcome, Delivery::Outcome::failed);
  EXPECT_TRUE(wx.calls.empty());
}

// ---- WeCom 微信客服 -------------------------------------------------------

schema::Channel wecom_channel(const std::string& base) {
  schema::Channel c;
  c.id = 6;
  c.type = schema::ChannelType::wecom;
  c.config["corp_id"] = "ww5823bf96d3bd5549";
  c.config["api_base"] = base;
  c.config["open_kfid"] = "wkDEFAULT";
  c.secrets["token"] = "tok123";
  c.secrets["encoding_aes_key"] = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
  c.secrets["secret"] = kSecret;
  return c;
}

TEST_F(WechatApi, KfSendMsgCarriesOpenKfidAndOurMessageId) {
  WechatAdapter a(schema::ChannelType::wecom);
  Outbound o = text_reply("您好", "wmUSER");
  o.message.metadata["wechat"]["open_kfid"] = "wkOPEN";
  Delivery d = a.deliver(wecom_channel(wx.base()), o);
  EXPECT_EQ(d.outcome, Delivery::Outcome::sent) << d.error;
  EXPECT_EQ(d.external_id, "MSG_FROM_WECHAT_1");
  ASSERT_EQ(wx.calls.size(), 1u);
  EXPECT_EQ(wx.calls[0].api, "kf_send");
  EXPECT_EQ(schema::parse_json(wx.calls[0].body),
            schema::parse_json(R"({"touser":"wmUSER","open_kfid":"wkOPEN","msgid":"og901",)"
                               R"("msgtype":"text","text":{"content":"您好"}})"));
  // Without metadata the channel's default account is used.
  a.deliver(wecom_channel(wx.base()), text_reply("x", "wmUSER"));
  EXPECT_EQ(schema::parse_json(wx.calls.at(1).body)["open_kfid"].asString(), "wkDEFAULT");
}

TEST_F(WechatApi, KfSyncPagesWhileHasMore) {
  WechatAdapter a(schema::ChannelType::wecom);
  KfSyncClient client = a.kf_client(wecom_channel(wx.base()));
  std::vector<std::string> cursors_seen;
  KfSyncResult r = client.sync("", "CALLBACK_TOKEN", "wkOPEN",
                               [&](const KfPage& p) { cursors_seen.push_back(p.next_cursor); });
  EXPECT_EQ(r.pages, 3);
  EXPECT_EQ(r.messages.size(), 6u);
  EXPECT_EQ(r.next_cursor, "c3");
  EXPECT_EQ(cursors_seen, (std::vector<std::string>{"c1", "c2", "c3"}));
  ASSERT_EQ(wx.calls.size(), 3u);
  Json::Value first = schema::parse_json(wx.calls[0].body);
  EXPECT_FALSE(first.isMember("cursor"));
  EXPECT_EQ(first["token"].asString(), "CALLBACK_TOKEN");
  EXPECT_EQ(first["open_kfid"].asString(), "wkOPEN");
  EXPECT_EQ(first["limit"].asInt(), 1000);
  EXPECT_EQ(schema::parse_json(wx.calls[2].body)["cursor"].asString(), "c2");

  // Starting from a persisted cursor reads only what follows.
  KfSyncResult rest = client.sync("c2", "", "wkOPEN");
  EXPECT_EQ(rest.pages, 1);
  EXPECT_EQ(rest.next_cursor, "c3");
}

TEST_F(WechatApi, KfSyncRefreshesAnExpiredTokenOnce) {
  WechatAdapter a(schema::ChannelType::wecom);
  KfSyncClient client = a.kf_client(wecom_channel(wx.base()));
  client.fetch_page("", "T", "wkOPEN");
  wx.revoke_all();
  KfPage p = client.fetch_page("c2", "T", "wkOPEN");
  EXPECT_FALSE(p.has_more);
  EXPECT_EQ(wx.token_requests(), 2);
}

TEST_F(WechatApi, KfSyncUnreachableIsRetryable) {
  AccessTokenManager m;
  KfSyncClient client(m, {Flavor::wecom, "http://127.0.0.1:1", "ww5823bf96d3bd5549", kSecret});
  try {
    client.sync("", "T", "wkOPEN");
    FAIL();
  } catch (const KfSyncError& e) {
    EXPECT_TRUE(e.retryable());
  }
}

TEST(WechatKfNormalize, CustomerTextServicerAndEvents) {
  Json::Value text = schema::parse_json(
      R"({"msgid":"from_msgid_4622416642169452483","open_kfid":"wkOPEN","external_userid":"wmUSER",)"
      R"("send_time":1615478585,"origin":3,"msgtype":"text","text":{"content":"你好","menu_id":"101"}})");
  schema::Message m = normalize_kf_message(text, 6);
  EXPECT_EQ(m.direction, schema::Direction::in);
  EXPECT_EQ(m.sender.type, schema::SenderType::contact);
  EXPECT_EQ(m.sender.id, "wmUSER");
  EXPECT_EQ(m.external_id, "from_msgid_4622416642169452483");
  EXPECT_EQ(m.parts.at(0).text, "你好");
  EXPECT_EQ(m.metadata["wechat"], text);
  EXPECT_EQ(schema::format_timestamp(*m.channel_timestamp), "2021-03-11T16:03:05.000000Z");

  Json::Value servicer = text;
  servicer["origin"] = 5;
  servicer["servicer_userid"] = "zhangsan";
  schema::Message s = normalize_kf_message(servicer, 6);
  EXPECT_EQ(s.direction, schema::Direction::out);
  EXPECT_EQ(s.sender.id, "wecom:zhangsan");

  Json::Value event = schema::parse_json(
      R"({"msgid":"e1","send_time":1615478600,"origin":4,"msgtype":"event",)"
      R"("event":{"event_type":"enter_session","open_kfid":"wkOPEN","external_userid":"wmUSER","scene":"123","scene_param":"abc"}})");
  schema::Message e = normalize_kf_message(event, 6);
  EXPECT_EQ(e.parts.at(0).type, schema::PartType::event);
  EXPECT_EQ(e.parts[0].event, "enter_session");
  EXPECT_EQ(e.parts[0].event_key, "abc");
  EXPECT_EQ(e.sender.id, "wmUSER");

  Json::Value odd = text;
  odd["msgtype"] = "channels_shop_product";
  EXPECT_EQ(normalize_kf_message(odd, 6).parts.at(0).event, "unsupported");
  EXPECT_THROW(normalize_kf_message(schema::parse_json(R"({"msgtype":"text"})"), 6), AdapterError);
}

}  // namespace
}  // namespace omnigate::adapters::wechat
