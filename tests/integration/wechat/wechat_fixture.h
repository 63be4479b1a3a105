#pragma once
// Helpers of the WeChat integration tests: a WeChat channel created through
// the admin API, callbacks built and signed the way WeChat's servers do (with
// the adapter's own signature and WXBizMsgCrypt code), and store look-ups.
#include <gtest/gtest.h>

#include <chrono>
#include <initializer_list>
#include <random>
#include <string>
#include <thread>
#include <utility>

#include <json/writer.h>  // operator<< for Json::Value in assertion messages

#include "adapters/common/http_client.h"
#include "adapters/wechat/signature.h"
#include "adapters/wechat/wx_crypto.h"
#include "gateway/db/pg.h"
#include "schema/json.h"
#include "tests/support/test_gateway.h"
#include "tests/support/wechat_standin.h"

namespace wxtest {

namespace wx = omnigate::adapters::wechat;
namespace db = omnigate::db;
using omnigate::testing::parse;
using omnigate::testing::TestGateway;
using omnigate::testing::WechatStandin;

inline constexpr const char* kAppId = "wx5f3b2c9d8e7a6b41";
inline constexpr const char* kAppSecret = "3f1c9a7e5b2d4c6e8a0b1c2d3e4f5a6b";
inline constexpr const char* kAccount = "gh_7a3e5c1d9b2f";  // the Official Account's own id (ToUserName)
inline constexpr const char* kOpenId = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
inline constexpr const char* kCorpId = "ww8d3a6f2c1b9e7d45";
inline constexpr const char* kCorpSecret = "kXd83jf0Qm2LzP7vB1nR5tY9wC4eH6uA";
inline constexpr const char* kOpenKfid = "wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q";

inline std::string now_s() {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

inline std::string nonce() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::to_string(100000000 + rng() % 900000000);
}

// "?k=v&..." with every value percent-encoded (echostr and msg_signature
// carry base64's '+', '/' and '=').
inline std::string query(std::initializer_list<std::pair<std::string, std::string>> params) {
  std::string q;
  for (const auto& [k, v] : params) q += (q.empty() ? "?" : "&") + k + "=" + omnigate::adapters::url_encode(v);
  return q;
}

struct WxChannel {
  Json::Value json;      // as the admin API answered it
  std::int64_t id = 0;
  std::string hook;      // the inbound URL's path, /v1/hooks/{token}
  std::string token;     // WeChat's signing Token (secrets.token)
  std::string aes_key;   // EncodingAESKey ("" in plain mode)
  std::string receiver;  // app_id / corp_id
};

inline WxChannel channel_from(const Json::Value& j) {
  WxChannel c;
  c.json = j;
  c.id = j["id"].asInt64();
  c.hook = j["inbound_url"].asString();
  c.token = j["secrets"]["token"].asString();
  c.aes_key = j["secrets"]["encoding_aes_key"].asString();
  c.receiver = j["config"].isMember("corp_id") ? j["config"]["corp_id"].asString() : j["config"]["app_id"].asString();
  return c;
}

// An Official Account channel through POST /v1/admin/channels; the stand-in
// learns its AppID/AppSecret.
inline WxChannel official_account(TestGateway& gw, WechatStandin* api, const std::string& mode,
                                  const std::string& app_id = kAppId) {
  Json::Value config(Json::objectValue);
  config["app_id"] = app_id;
  config["mode"] = mode;
  config["app_secret"] = kAppSecret;  // the admin API moves it into secrets
  if (api) {
    config["api_base"] = api->base_url();
    api->add_app(app_id, kAppSecret);
  }
  return channel_from(gw.create_channel("wechat_mp", "公众号 " + mode, config));
}

inline WxChannel wecom(TestGateway& gw, WechatStandin* api) {
  Json::Value config(Json::objectValue);
  config["corp_id"] = kCorpId;
  config["secret"] = kCorpSecret;
  config["open_kfid"] = kOpenKfid;
  if (api) {
    config["api_base"] = api->base_url();
    api->add_corp(kCorpId, kCorpSecret);
  }
  return channel_from(gw.create_channel("wecom", "企业微信", config));
}

inline std::string text_xml(const std::string& to, const std::string& from, const std::string& content,
                            const std::string& msg_id, const std::string& create_time = "1700000000") {
  return "<xml><ToUserName><![CDATA[" + to + "]]></ToUserName><FromUserName><![CDATA[" + from +
         "]]></FromUserName><CreateTime>" + create_time + "</CreateTime><MsgType><![CDATA[text]]></MsgType>"
         "<Content><![CDATA[" + content + "]]></Content><MsgId>" + msg_id + "</MsgId></xml>";
}

// A WeChat callback: the query it is POSTed with and the XML body.
struct Callback {
  std::string query;
  std::string body;
};

// Plain mode: `signature` over token/timestamp/nonce; the body as is.
inline Callback plain_callback(const WxChannel& ch, const std::string& xml, const std::string& openid = kOpenId) {
  std::string ts = now_s(), n = nonce();
  return {query({{"signature", wx::url_signature(ch.token, ts, n)}, {"timestamp", ts}, {"nonce", n}, {"openid", openid}}),
          xml};
}

// Safe mode: the message encrypted for `receiver` (the channel's own by
// default), msg_signature over token/timestamp/nonce/Encrypt. WeChat sends
// `signature` too.
inline Callback encrypted_callback(const WxChannel& ch, const std::string& xml, std::string receiver = {},
                                   const std::string& openid = kOpenId) {
  if (receiver.empty()) receiver = ch.receiver;
  std::string encrypt = wx::WxBizMsgCrypt(ch.aes_key).encrypt(xml, receiver);
  std::string ts = now_s(), n = nonce();
  Callback cb;
  cb.query = query({{"signature", wx::url_signature(ch.token, ts, n)},
                    {"timestamp", ts},
                    {"nonce", n},
                    {"openid", openid},
                    {"encrypt_type", "aes"},
                    {"msg_signature", wx::msg_signature(ch.token, ts, n, encrypt)}});
  cb.body = "<xml><ToUserName><![CDATA[" + receiver + "]]></ToUserName><Encrypt><![CDATA[" + encrypt +
            "]]></Encrypt></xml>";
  return cb;
}

inline httplib::Result post(const TestGateway& gw, const WxChannel& ch, const Callback& cb) {
  return gw.client().Post(ch.hook + cb.query, cb.body, "text/xml");
}

inline std::int64_t count_messages(const TestGateway& gw, std::int64_t channel_id) {
  db::PgConnection c(gw.db());
  return c.exec("SELECT count(*) FROM messages WHERE channel_id = $1", {std::to_string(channel_id)}).int64(0, 0);
}

inline std::int64_t count_external(const TestGateway& gw, std::int64_t channel_id, const std::string& external_id) {
  db::PgConnection c(gw.db());
  return c.exec("SELECT count(*) FROM messages WHERE channel_id = $1 AND external_id = $2",
                {std::to_string(channel_id), external_id})
      .int64(0, 0);
}

// The stored message with that external id, as the agent API shows it.
inline Json::Value stored_message(TestGateway& gw, std::int64_t channel_id, const std::string& external_id) {
  db::PgConnection c(gw.db());
  auto r = c.exec("SELECT conversation_id, seq FROM messages WHERE channel_id = $1 AND external_id = $2",
                  {std::to_string(channel_id), external_id});
  if (r.rows() != 1) return Json::Value();
  auto page = gw.client().Get("/v1/conversations/" + r.str(0, 0) + "/messages?after_seq=" +
                                  std::to_string(r.int64(0, 1) - 1) + "&limit=1",
                              {{"Authorization", "Bearer " + gw.agent_token()}});
  if (!page || page->status != 200) return Json::Value();
  return parse(page->body)["items"][0];
}

inline httplib::Result reply(TestGateway& gw, std::int64_t conversation, const std::string& text,
                             const std::string& token) {
  Json::Value body(Json::objectValue);
  body["text"] = text;
  return gw.client().Post("/v1/conversations/" + std::to_string(conversation) + "/messages",
                          {{"Authorization", "Bearer " + token}}, omnigate::schema::write_json(body),
                          "application/json");
}

struct DeliveryState {
  std::string status;  // pending / sent / failed, or "timeout"
  std::string error;
  std::int64_t attempts = -1;  // the outbox row's, -1 once the row is gone
};

inline DeliveryState delivery_state(const TestGateway& gw, std::int64_t message_id) {
  db::PgConnection c(gw.db());
  auto r = c.exec("SELECT delivery_status, delivery_error, (SELECT attempts FROM outbox WHERE message_id = $1) "
                  "FROM messages WHERE id = $1",
                  {std::to_string(message_id)});
  return {r.str(0, 0), r.str(0, 1), r.is_null(0, 2) ? -1 : r.int64(0, 2)};
}

// Polls until the message leaves `pending` (status "timeout" after ~10 s).
inline DeliveryState wait_delivered(const TestGateway& gw, std::int64_t message_id) {
  for (int i = 0; i < 500; ++i) {
    DeliveryState s = delivery_state(gw, message_id);
    if (s.status != "pending") return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return {"timeout", "", -1};
}

// Retries after 50 ms and 100 ms... so backoff-driven tests stay fast.
inline omnigate::gateway::Config fast_retries() {
  omnigate::gateway::Config cfg;
  cfg.outbox_backoff_base_ms = 50;
  cfg.outbox_max_attempts = 5;
  return cfg;
}

}  // namespace wxtest
