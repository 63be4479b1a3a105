// The Official Account's inbound path over real HTTP: a channel created
// through the admin API, URL verification, plain and safe-mode callbacks at
// /v1/hooks/{token}, WeChat's retries stored once, and the 5-second rule
// when the database is slow.
#include <regex>

#include "tests/integration/wechat/wechat_fixture.h"

namespace wxtest {
namespace {

bool alnum_of_length(const std::string& s, size_t min, size_t max) {
  return s.size() >= min && s.size() <= max && std::regex_match(s, std::regex("[A-Za-z0-9]+"));
}

TEST(WechatInbound, AdminGetsWhatToPasteIntoWeChatsConsoleAndUrlVerificationWorks) {
  WechatStandin api;
  TestGateway gw;
  WxChannel ch = official_account(gw, &api, "safe");
  const Json::Value& j = ch.json;

  // What the admin pastes into 公众平台 -> 基本配置 -> 服务器配置.
  EXPECT_EQ(j["type"].asString(), "wechat_mp");
  ASSERT_TRUE(j["inbound_url"].isString());
  EXPECT_EQ(j["inbound_url"].asString(), "/v1/hooks/" + j["token"].asString());
  EXPECT_TRUE(alnum_of_length(j["secrets"]["token"].asString(), 3, 32)) << j["secrets"]["token"].asString();
  EXPECT_TRUE(alnum_of_length(j["secrets"]["encoding_aes_key"].asString(), 43, 43)) << j["secrets"]["encoding_aes_key"].asString();
  EXPECT_TRUE(wx::WxBizMsgCrypt::valid_encoding_aes_key(j["secrets"]["encoding_aes_key"].asString()));
  // The AppSecret is a secret: moved out of config.
  EXPECT_EQ(j["secrets"]["app_secret"].asString(), kAppSecret);
  EXPECT_FALSE(j["config"].isMember("app_secret"));
  EXPECT_EQ(j["config"]["app_id"].asString(), kAppId);
  EXPECT_EQ(j["config"]["mode"].asString(), "safe");
  EXPECT_EQ(j["config"]["api_base"].asString(), api.base_url());
  // Two channels never share the generated keys.
  WxChannel other = official_account(gw, nullptr, "safe", "wx00000000000000aa");
  EXPECT_NE(other.token, ch.token);
  EXPECT_NE(other.aes_key, ch.aes_key);
  EXPECT_NE(other.hook, ch.hook);

  // WeChat's check when the admin presses "submit": echo echostr.
  auto c = gw.client();
  std::string ts = now_s(), n = nonce(), echostr = "6754393418127425716";
  auto ok = c.Get(ch.hook + query({{"signature", wx::url_signature(ch.token, ts, n)},
                                   {"timestamp", ts},
                                   {"nonce", n},
                                   {"echostr", echostr}}));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, echostr);
  EXPECT_EQ(ok->get_header_value("Content-Type").rfind("text/plain", 0), 0u) << ok->get_header_value("Content-Type");

  // Wrong signature (another channel's token) / none at all: 401, no echo.
  auto wrong = c.Get(ch.hook + query({{"signature", wx::url_signature(other.token, ts, n)},
                                      {"timestamp", ts},
                                      {"nonce", n},
                                      {"echostr", echostr}}));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(parse(wrong->body)["error"]["code"].asString(), "bad_signature");
  EXPECT_EQ(wrong->body.find(echostr), std::string::npos);
  auto missing = c.Get(ch.hook + query({{"timestamp", ts}, {"nonce", n}, {"echostr", echostr}}));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(count_messages(gw, ch.id), 0);
}

TEST(WechatInbound, PlainTextMessageIsStoredAndRetriesAreStoredOnce) {
  TestGateway gw;
  WxChannel ch = official_account(gw, nullptr, "plain");
  EXPECT_TRUE(ch.aes_key.empty());  // plain mode needs no EncodingAESKey
  const std::string msg_id = "24371935473589125";
  Callback cb = plain_callback(ch, text_xml(kAccount, kOpenId, "你好，我的订单 #42 到哪了？ <&>", msg_id));

  auto first = post(gw, ch, cb);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(first->body, "success");
  EXPECT_EQ(count_messages(gw, ch.id), 1);

  Json::Value m = stored_message(gw, ch.id, msg_id);
  ASSERT_TRUE(m.isObject());
  EXPECT_EQ(m["direction"].asString(), "in");
  EXPECT_EQ(m["external_id"].asString(), msg_id);
  EXPECT_EQ(m["sender"]["type"].asString(), "contact");
  EXPECT_EQ(m["sender"]["id"].asString(), kOpenId);
  ASSERT_EQ(m["parts"].size(), 1u);
  EXPECT_EQ(m["parts"][0]["type"].asString(), "text");
  EXPECT_EQ(m["parts"][0]["text"].asString(), "你好，我的订单 #42 到哪了？ <&>");
  // The OpenID is the contact's identity on this channel.
  {
    db::PgConnection c(gw.db());
    auto r = c.exec("SELECT external_id, channel_type FROM contact_identities WHERE channel_id = $1",
                    {std::to_string(ch.id)});
    ASSERT_EQ(r.rows(), 1);
    EXPECT_EQ(r.str(0, 0), kOpenId);
    EXPECT_EQ(r.str(0, 1), "wechat_mp");
  }

  // WeChat retries the identical request 3 more times: every answer is
  // "success", nothing is stored twice.
  for (int i = 0; i < 3; ++i) {
    auto again = post(gw, ch, cb);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200);
    EXPECT_EQ(again->body, "success");
  }
  EXPECT_EQ(count_messages(gw, ch.id), 1);
  EXPECT_EQ(count_external(gw, ch.id, msg_id), 1);

  // A second message from the same user joins the same conversation.
  auto second = post(gw, ch, plain_callback(ch, text_xml(kAccount, kOpenId, "还在吗", "24371935473589126")));
  ASSERT_EQ(second->body, "success");
  Json::Value m2 = stored_message(gw, ch.id, "24371935473589126");
  EXPECT_EQ(m2["conversation_id"], m["conversation_id"]);
  EXPECT_EQ(m2["seq"].asInt64(), m["seq"].asInt64() + 1);

  // Events have no MsgId: their retries are recognised by user + CreateTime.
  std::string subscribe = "<xml><ToUserName><![CDATA[" + std::string(kAccount) +
                          "]]></ToUserName><FromUserName><![CDATA[" + kOpenId +
                          "]]></FromUserName><CreateTime>1700000100</CreateTime><MsgType><![CDATA[event]]></MsgType>"
                          "<Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_123123]]></EventKey></xml>";
  for (int i = 0; i < 4; ++i) EXPECT_EQ(post(gw, ch, plain_callback(ch, subscribe))->body, "success");
  EXPECT_EQ(count_messages(gw, ch.id), 3);

  // Signed with another token: 401 and nothing written.
  WxChannel forged = ch;
  forged.token = "notTheChannelsToken";
  auto bad = post(gw, ch, plain_callback(forged, text_xml(kAccount, kOpenId, "forged", "24371935473589199")));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  EXPECT_NE(bad->body, "success");
  EXPECT_EQ(count_messages(gw, ch.id), 3);
  EXPECT_EQ(count_external(gw, ch.id, "24371935473589199"), 0);
}

TEST(WechatInbound, EncryptedMessageIsDecryptedAndStoredTamperingIsRefused) {
  TestGateway gw;
  WxChannel ch = official_account(gw, nullptr, "safe");
  ASSERT_EQ(ch.aes_key.size(), 43u);
  const std::string msg_id = "6054768590064713728";
  const std::string text = "加密模式：退货地址是？ 🚚 \"quoted\" & <tags>";
  Callback cb = encrypted_callback(ch, text_xml(kAccount, kOpenId, text, msg_id));
  // The body WeChat posts carries nothing readable.
  ASSERT_EQ(cb.body.find("退货"), std::string::npos);

  auto r = post(gw, ch, cb);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, "success");
  Json::Value m = stored_message(gw, ch.id, msg_id);
  ASSERT_TRUE(m.isObject());
  EXPECT_EQ(m["parts"][0]["type"].asString(), "text");
  EXPECT_EQ(m["parts"][0]["text"].asString(), text);
  EXPECT_EQ(m["sender"]["id"].asString(), kOpenId);
  EXPECT_EQ(count_messages(gw, ch.id), 1);
  // And retried: still one.
  EXPECT_EQ(post(gw, ch, cb)->body, "success");
  EXPECT_EQ(count_messages(gw, ch.id), 1);

  auto refused = [&](const Callback& bad, int status, const std::string& what) {
    auto res = post(gw, ch, bad);
    ASSERT_TRUE(res) << what;
    EXPECT_EQ(res->status, status) << what << ": " << res->body;
    EXPECT_NE(res->body, "success") << what;
    EXPECT_EQ(count_messages(gw, ch.id), 1) << what;
  };

  // Tampered ciphertext under the original msg_signature: the signature
  // covers Encrypt, so 401.
  {
    Callback t = encrypted_callback(ch, text_xml(kAccount, kOpenId, "tampered", "6054768590064713001"));
    size_t at = t.body.find("<![CDATA[", t.body.find("<Encrypt>")) + 9 + 20;
    t.body[at] = t.body[at] == 'A' ? 'B' : 'A';
    refused(t, 401, "tampered ciphertext");
  }
  // Tampered and re-signed by someone who knows the Token but not the key:
  // the ciphertext does not decrypt -> 400.
  {
    std::string encrypt = wx::WxBizMsgCrypt(ch.aes_key).encrypt(
        text_xml(kAccount, kOpenId, "truncated", "6054768590064713002"), ch.receiver);
    encrypt.resize(encrypt.size() - 8);  // no longer whole 32-byte blocks
    std::string ts = now_s(), n = nonce();
    Callback t{query({{"timestamp", ts}, {"nonce", n}, {"msg_signature", wx::msg_signature(ch.token, ts, n, encrypt)}}),
               "<xml><ToUserName><![CDATA[" + ch.receiver + "]]></ToUserName><Encrypt><![CDATA[" + encrypt +
                   "]]></Encrypt></xml>"};
    refused(t, 400, "undecryptable ciphertext");
  }
  // Encrypted for another AppID (signed correctly): refused.
  refused(encrypted_callback(ch, text_xml(kAccount, kOpenId, "other app", "6054768590064713003"), "wx1111111111111111"),
          401, "wrong appid");
  // Bad msg_signature: 401, no row written.
  {
    Callback t = encrypted_callback(ch, text_xml(kAccount, kOpenId, "bad sig", "6054768590064713004"));
    size_t at = t.query.find("msg_signature=") + 14;
    t.query[at] = t.query[at] == '0' ? '1' : '0';
    refused(t, 401, "bad msg_signature");
  }
  // A plaintext message to a safe-mode channel (a downgrade): refused even
  // with a valid plain signature.
  refused(plain_callback(ch, text_xml(kAccount, kOpenId, "downgrade", "6054768590064713005")), 400, "downgrade");
  EXPECT_EQ(count_external(gw, ch.id, "6054768590064713004"), 0);
}

TEST(WechatInbound, CompatibleModeTakesPlainAndEncryptedMessages) {
  TestGateway gw;
  WxChannel ch = official_account(gw, nullptr, "compatible");
  ASSERT_EQ(ch.aes_key.size(), 43u);
  EXPECT_EQ(post(gw, ch, plain_callback(ch, text_xml(kAccount, kOpenId, "明文", "1001")))->body, "success");
  EXPECT_EQ(post(gw, ch, encrypted_callback(ch, text_xml(kAccount, kOpenId, "密文", "1002")))->body, "success");
  EXPECT_EQ(stored_message(gw, ch.id, "1001")["parts"][0]["text"].asString(), "明文");
  EXPECT_EQ(stored_message(gw, ch.id, "1002")["parts"][0]["text"].asString(), "密文");
}

// WeChat waits 5 s for an answer and then retries. A hook that cannot persist
// in time must answer an error (so WeChat retries), never "success".
TEST(WechatInbound, SlowDatabaseGetsAnErrorWithinTheDeadlineNeverSuccess) {
  omnigate::gateway::Config cfg;
  cfg.ingest_timeout_ms = 1000;
  TestGateway gw(cfg);
  WxChannel ch = official_account(gw, nullptr, "safe");
  ASSERT_EQ(post(gw, ch, encrypted_callback(ch, text_xml(kAccount, kOpenId, "warm", "2001")))->body, "success");

  const std::string msg_id = "2002";
  Callback cb = encrypted_callback(ch, text_xml(kAccount, kOpenId, "数据库很慢", msg_id));
  db::PgConnection blocker(gw.db());
  blocker.exec("BEGIN");
  blocker.exec("LOCK TABLE conversations IN EXCLUSIVE MODE");
  auto started = std::chrono::steady_clock::now();
  auto r = post(gw, ch, cb);
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_NE(r->body, "success");
  EXPECT_EQ(parse(r->body)["error"]["code"].asString(), "store_timeout");
  EXPECT_GE(took, std::chrono::milliseconds(900));   // it did wait for the store...
  EXPECT_LT(took, std::chrono::milliseconds(1500));  // ...but answered well within WeChat's 5 s
  // Nothing is stored while the database is stuck.
  EXPECT_EQ(count_external(gw, ch.id, msg_id), 0);
  blocker.exec("ROLLBACK");

  // WeChat's retry (the identical request) succeeds; the message exists once.
  auto retry = post(gw, ch, cb);
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->status, 200) << retry->body;
  EXPECT_EQ(retry->body, "success");
  EXPECT_EQ(count_external(gw, ch.id, msg_id), 1);
  EXPECT_EQ(stored_message(gw, ch.id, msg_id)["parts"][0]["text"].asString(), "数据库很慢");
  EXPECT_EQ(count_messages(gw, ch.id), 2);
}

}  // namespace
}  // namespace wxtest
