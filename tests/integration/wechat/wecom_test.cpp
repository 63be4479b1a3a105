// WeCom (企业微信 / 微信客服) over real HTTP: encrypted URL verification, an
// encrypted text message through the hook, and a reply through kf/send_msg
// with a /cgi-bin/gettoken token.
#include "tests/integration/wechat/wechat_fixture.h"

namespace wxtest {
namespace {

std::string wecom_text_xml(const std::string& from, const std::string& content, const std::string& msg_id) {
  return "<xml><ToUserName><![CDATA[" + std::string(kCorpId) + "]]></ToUserName><FromUserName><![CDATA[" + from +
         "]]></FromUserName><CreateTime>1700000500</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[" +
         content + "]]></Content><MsgId>" + msg_id + "</MsgId><AgentID>1000002</AgentID></xml>";
}

// WeCom posts msg_signature/timestamp/nonce only (no plain `signature`).
Callback wecom_callback(const WxChannel& ch, const std::string& xml) {
  std::string encrypt = wx::WxBizMsgCrypt(ch.aes_key).encrypt(xml, ch.receiver);
  std::string ts = now_s(), n = nonce();
  return {query({{"msg_signature", wx::msg_signature(ch.token, ts, n, encrypt)}, {"timestamp", ts}, {"nonce", n}}),
          "<xml><ToUserName><![CDATA[" + ch.receiver + "]]></ToUserName><Encrypt><![CDATA[" + encrypt +
              "]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>"};
}

TEST(Wecom, UrlVerificationAnswersTheDecryptedEchostr) {
  TestGateway gw;
  WxChannel ch = wecom(gw, nullptr);
  EXPECT_EQ(ch.json["type"].asString(), "wecom");
  EXPECT_EQ(ch.json["config"]["mode"].asString(), "safe");  // WeCom callbacks are always encrypted
  EXPECT_EQ(ch.aes_key.size(), 43u);
  EXPECT_FALSE(ch.token.empty());
  EXPECT_EQ(ch.json["secrets"]["secret"].asString(), kCorpSecret);
  EXPECT_FALSE(ch.json["config"].isMember("secret"));

  // WeCom sends echostr encrypted; the answer is its plaintext, nothing else.
  const std::string plaintext = "1616140317555161061";
  std::string echostr = wx::WxBizMsgCrypt(ch.aes_key).encrypt(plaintext, kCorpId);
  ASSERT_NE(echostr.find_first_of("+/="), std::string::npos) << "want base64 punctuation in the query: " << echostr;
  std::string ts = now_s(), n = nonce();
  auto c = gw.client();
  auto ok = c.Get(ch.hook + query({{"msg_signature", wx::msg_signature(ch.token, ts, n, echostr)},
                                   {"timestamp", ts},
                                   {"nonce", n},
                                   {"echostr", echostr}}));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(ok->body, plaintext);

  // Signature over another echostr, or echostr for another corp: refused.
  std::string other = wx::WxBizMsgCrypt(ch.aes_key).encrypt("42", kCorpId);
  auto wrong = c.Get(ch.hook + query({{"msg_signature", wx::msg_signature(ch.token, ts, n, other)},
                                      {"timestamp", ts},
                                      {"nonce", n},
                                      {"echostr", echostr}}));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(wrong->body.find(plaintext), std::string::npos);
  std::string foreign = wx::WxBizMsgCrypt(ch.aes_key).encrypt(plaintext, "ww0000000000000000");
  auto foreign_corp = c.Get(ch.hook + query({{"msg_signature", wx::msg_signature(ch.token, ts, n, foreign)},
                                             {"timestamp", ts},
                                             {"nonce", n},
                                             {"echostr", foreign}}));
  ASSERT_TRUE(foreign_corp);
  EXPECT_EQ(foreign_corp->status, 401);
  EXPECT_EQ(foreign_corp->body.find(plaintext), std::string::npos);
}

TEST(Wecom, EncryptedTextMessageIsStoredAndTheReplyGoesThroughKfSendMsg) {
  WechatStandin api;
  TestGateway gw(fast_retries());
  WxChannel ch = wecom(gw, &api);
  const std::string user = "wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw";
  const std::string msg_id = "7310925466519052288";
  Callback cb = wecom_callback(ch, wecom_text_xml(user, "企业微信：发票怎么开？", msg_id));
  for (int i = 0; i < 2; ++i) {  // and once more, as a retry
    auto r = post(gw, ch, cb);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->body, "success");
  }
  EXPECT_EQ(count_messages(gw, ch.id), 1);
  Json::Value m = stored_message(gw, ch.id, msg_id);
  ASSERT_TRUE(m.isObject());
  EXPECT_EQ(m["parts"][0]["text"].asString(), "企业微信：发票怎么开？");
  EXPECT_EQ(m["sender"]["id"].asString(), user);

  // A plain (unencrypted) callback is never accepted on WeCom.
  std::string ts = now_s(), n = nonce();
  auto plain = gw.client().Post(
      ch.hook + query({{"signature", wx::url_signature(ch.token, ts, n)}, {"timestamp", ts}, {"nonce", n}}),
      wecom_text_xml(user, "plain", "7310925466519052289"), "text/xml");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 400);
  EXPECT_EQ(count_messages(gw, ch.id), 1);

  // The agent's reply goes out through 微信客服 kf/send_msg.
  auto r = reply(gw, m["conversation_id"].asInt64(), "请在小程序里申请发票", gw.agent_token());
  ASSERT_EQ(r->status, 201) << r->body;
  std::int64_t id = parse(r->body)["id"].asInt64();
  DeliveryState d = wait_delivered(gw, id);
  EXPECT_EQ(d.status, "sent") << d.error;

  auto tokens = api.requests(WechatStandin::kWecomTokenPath);
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].param("corpid"), kCorpId);
  EXPECT_EQ(tokens[0].param("corpsecret"), kCorpSecret);
  auto sends = api.requests(WechatStandin::kKfSendPath);
  ASSERT_EQ(sends.size(), 1u);
  Json::Value expected(Json::objectValue);
  expected["touser"] = user;
  expected["open_kfid"] = kOpenKfid;
  expected["msgid"] = "og" + std::to_string(id);
  expected["msgtype"] = "text";
  expected["text"]["content"] = "请在小程序里申请发票";
  EXPECT_EQ(sends[0].json, expected) << sends[0].body;
  EXPECT_EQ(sends[0].param("access_token"), api.current_token(kCorpId));
  EXPECT_EQ(sends[0].errcode(), 0);
  EXPECT_EQ(api.count(WechatStandin::kCustomSendPath), 0u);

  // WeChat's msgid for the sent message is kept.
  db::PgConnection c(gw.db());
  auto meta = c.exec("SELECT metadata->'delivery'->>'external_id' FROM messages WHERE id = $1", {std::to_string(id)});
  EXPECT_EQ(meta.str(0, 0), sends[0].answer["msgid"].asString());
}

}  // namespace
}  // namespace wxtest
