// WechatAdapter: configure, URL verification and inbound messages in every
// mode, driven with Tencent's published sample requests where they exist.
#include "adapters/wechat/wechat_adapter.h"

#include <gtest/gtest.h>

#include <string>

#include "adapters/wechat/signature.h"
#include "adapters/wechat/wx_crypto.h"
#include "adapters/wechat/xml.h"
#include "tests/unit/adapters/wechat/sample_vectors.h"
#include "schema/time.h"

namespace omnigate::adapters::wechat {
namespace {

using namespace samples;

schema::Channel wecom_channel(const std::string& corp = kWecomCorp) {
  schema::Channel c;
  c.id = 11;
  c.type = schema::ChannelType::wecom;
  c.config = Json::Value(Json::objectValue);
  c.config["corp_id"] = corp;
  c.secrets = Json::Value(Json::objectValue);
  c.secrets["token"] = kWecomToken;
  c.secrets["encoding_aes_key"] = kWecomKey;
  return c;
}

schema::Channel mp_channel(const std::string& mode, const std::string& token = "spamtest",
                           const std::string& app_id = "wx2c2769f8efd9abc2") {
  schema::Channel c;
  c.id = 12;
  c.type = schema::ChannelType::wechat;
  c.config = Json::Value(Json::objectValue);
  c.config["app_id"] = app_id;
  c.config["mode"] = mode;
  c.secrets = Json::Value(Json::objectValue);
  c.secrets["token"] = token;
  if (mode != "plain") c.secrets["encoding_aes_key"] = kMpKey;
  return c;
}

InboundRequest request(const std::string& method, QueryParams query, std::string body = {}) {
  InboundRequest r;
  r.method = method;
  r.path = "/v1/hooks/tok";
  r.query = std::move(query);
  r.body = std::move(body);
  return r;
}

AdapterError ingest_error(const WechatAdapter& a, const schema::Channel& ch, const InboundRequest& req) {
  try {
    Ingest in = a.ingest(ch, req);
    ADD_FAILURE() << "accepted: " << req.body.substr(0, 200);
  } catch (const AdapterError& e) {
    return e;
  }
  return AdapterError(0, "none", "none");
}

std::string now_s() {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(schema::now().time_since_epoch()).count());
}

// A plain-mode POST signed with `token`.
InboundRequest plain_post(const std::string& token, const std::string& body, const std::string& ts = "1409735669") {
  return request("POST", {{"signature", url_signature(token, ts, "42")}, {"timestamp", ts}, {"nonce", "42"}}, body);
}

const std::string kTextXml =
    "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName>"
    "<CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content>"
    "<MsgId>6054768590064713728</MsgId></xml>";

// ---- configure --------------------------------------------------------------

TEST(WechatConfigure, GeneratesTokenAndKeyForTheConsoleInSafeMode) {
  WechatAdapter a(schema::ChannelType::wechat);
  schema::Channel c;
  c.type = schema::ChannelType::wechat;
  c.config["app_id"] = "wx2c2769f8efd9abc2";
  c.config["mode"] = "safe";
  a.configure(c);
  std::string token = c.secrets["token"].asString();
  std::string key = c.secrets["encoding_aes_key"].asString();
  EXPECT_EQ(token.size(), 32u);
  EXPECT_TRUE(WxBizMsgCrypt::valid_encoding_aes_key(key));
  // Running it again (a config change) keeps them.
  a.configure(c);
  EXPECT_EQ(c.secrets["token"].asString(), token);
  EXPECT_EQ(c.secrets["encoding_aes_key"].asString(), key);
  ChannelSettings s = read_settings(c);
  EXPECT_EQ(s.mode, Mode::safe);
  EXPECT_EQ(s.api_base, kDefaultApiBase);
}

TEST(WechatConfigure, PlainWhenNoKeyAndKeysMoveOutOfConfig) {
  WechatAdapter a(schema::ChannelType::wechat);
  schema::Channel c;
  c.type = schema::ChannelType::wechat;
  c.config["app_id"] = "wx2c2769f8efd9abc2";
  c.config["token"] = "myToken1";
  c.config["app_secret"] = "s3cret";
  c.config["api_base"] = "http://127.0.0.1:9/";
  a.configure(c);
  EXPECT_EQ(c.config["mode"].asString(), "plain");
  EXPECT_FALSE(c.config.isMember("token"));
  EXPECT_FALSE(c.config.isMember("app_secret"));
  EXPECT_EQ(c.secrets["token"].asString(), "myToken1");
  EXPECT_EQ(c.secrets["app_secret"].asString(), "s3cret");
  EXPECT_FALSE(c.secrets.isMember("encoding_aes_key"));
  EXPECT_EQ(read_settings(c).api_base, "http://127.0.0.1:9");
}

TEST(WechatConfigure, ATypedSecretReplacesTheStoredOneAndLeavingItOutKeepsIt) {
  WechatAdapter a(schema::ChannelType::wechat);
  schema::Channel c;
  c.type = schema::ChannelType::wechat;
  c.config["app_id"] = "wx2c2769f8efd9abc2";
  c.config["app_secret"] = "first-secret";
  a.configure(c);
  std::string token = c.secrets["token"].asString();

  c.config["app_secret"] = "reset-in-the-console";  // the admin edits the channel
  a.configure(c);
  EXPECT_EQ(c.secrets["app_secret"].asString(), "reset-in-the-console");
  EXPECT_FALSE(c.config.isMember("app_secret"));

  c.config["mode"] = "plain";  // an edit that types no secret
  a.configure(c);
  EXPECT_EQ(c.secrets["app_secret"].asString(), "reset-in-the-console");
  EXPECT_EQ(c.secrets["token"].asString(), token);
}

TEST(WechatConfigure, RefusesBadSettings) {
  WechatAdapter a(schema::ChannelType::wechat);
  auto refuse = [&](Json::Value config, Json::Value secrets = Json::Value()) {
    schema::Channel c;
    c.type = schema::ChannelType::wechat;
    c.config = std::move(config);
    c.secrets = std::move(secrets);
    try {
      a.configure(c);
    } catch (const AdapterError& e) {
      EXPECT_EQ(e.status(), 400);
      EXPECT_EQ(e.code(), "invalid_config");
      return std::string(e.what());
    }
    ADD_FAILURE() << "accepted";
    return std::string();
  };
  Json::Value ok(Json::objectValue);
  ok["app_id"] = "wx1";
  EXPECT_NE(refuse(Json::Value(Json::objectValue)).find("app_id"), std::string::npos);
  Json::Value v = ok;
  v["mode"] = "paranoid";
  EXPECT_NE(refuse(v).find("mode"), std::string::npos);
  v = ok;
  v["api_base"] = "ftp://x";
  EXPECT_NE(refuse(v).find("api_base"), std::string::npos);
  v = ok;
  v["max_timestamp_skew_s"] = -1;
  EXPECT_NE(refuse(v).find("max_timestamp_skew_s"), std::string::npos);
  v = ok;
  v["encoding_aes_key"] = "short";
  EXPECT_NE(refuse(v).find("encoding_aes_key"), std::string::npos);
  v = ok;
  v["token"] = "has space";
  EXPECT_NE(refuse(v).find("token"), std::string::npos);

  WechatAdapter w(schema::ChannelType::wecom);
  schema::Channel c;
  c.type = schema::ChannelType::wecom;
  c.config["corp_id"] = "ww1";
  c.config["mode"] = "plain";
  EXPECT_THROW(w.configure(c), AdapterError);  // WeCom is always encrypted
  c.config.removeMember("mode");
  w.configure(c);
  EXPECT_EQ(c.config["mode"].asString(), "safe");
  EXPECT_TRUE(WxBizMsgCrypt::valid_encoding_aes_key(c.secrets["encoding_aes_key"].asString()));
  EXPECT_EQ(read_settings(c).api_base, kDefaultWecomApiBase);
  EXPECT_THROW(WechatAdapter(schema::ChannelType::email), std::invalid_argument);
}

// ---- URL verification ----------------------------------------------------

TEST(WechatIngest, WecomUrlVerificationWithTheOfficialSample) {
  WechatAdapter a(schema::ChannelType::wecom);
  InboundRequest r = request(
      "GET", {{"msg_signature", "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"},
              {"timestamp", "1409659589"},
              {"nonce", "263014780"},
              {"echostr", "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="}});
  Ingest in = a.ingest(wecom_channel(), r);
  EXPECT_TRUE(in.messages.empty());
  EXPECT_EQ(in.answer.status, 200);
  EXPECT_EQ(in.answer.body, "1616140317555161061");
  EXPECT_EQ(in.answer.content_type.rfind("text/plain", 0), 0u);

  // A front that decoded '+' as ' ' still works.
  InboundRequest spaced = r;
  spaced.query.find("echostr")->second =
      "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp 4RPcs8TgAE7OaBO FZXvnaqQ==";
  EXPECT_EQ(a.ingest(wecom_channel(), spaced).answer.body, "1616140317555161061");

  InboundRequest bad = r;
  bad.query.find("nonce")->second = "263014781";
  EXPECT_EQ(ingest_error(a, wecom_channel(), bad).status(), 401);
  // Right signature, wrong corp id configured: refused.
  EXPECT_EQ(ingest_error(a, wecom_channel("ww0000000000000000"), r).status(), 401);
}

TEST(WechatIngest, OfficialAccountUrlVerificationEchoes) {
  WechatAdapter a(schema::ChannelType::wechat);
  for (std::string mode : {"plain", "compatible", "safe"}) {
    InboundRequest r = request("GET", {{"signature", url_signature("spamtest", "1409735669", "77")},
                                       {"timestamp", "1409735669"},
                                       {"nonce", "77"},
                                       {"echostr", "6843150291538457621"}});
    Ingest in = a.ingest(mp_channel(mode), r);
    EXPECT_EQ(in.answer.body, "6843150291538457621") << mode;
    r.query.find("signature")->second = url_signature("wrong", "1409735669", "77");
    AdapterError e = ingest_error(a, mp_channel(mode), r);
    EXPECT_EQ(e.status(), 401);
    EXPECT_EQ(e.code(), "bad_signature");
  }
  AdapterError missing = ingest_error(a, mp_channel("plain"), request("GET", {{"echostr", "1"}}));
  EXPECT_EQ(missing.status(), 401);
  EXPECT_EQ(ingest_error(a, mp_channel("plain"), request("PUT", {})).status(), 405);
}

// ---- inbound messages ----------------------------------------------------

TEST(WechatIngest, WecomEncryptedMessageWithTheOfficialSample) {
  WechatAdapter a(schema::ChannelType::wecom);
  std::string body = "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[" +
                     std::string(kMsgEncrypt) + "]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>";
  InboundRequest r = request("POST",
                             {{"msg_signature", "477715d11cdb4164915debcba66cb864d751f3e6"},
                              {"timestamp", "1409659813"},
                              {"nonce", "1372623149"}},
                             body);
  Ingest in = a.ingest(wecom_channel(), r);
  ASSERT_EQ(in.messages.size(), 1u);
  const schema::Message& m = in.messages[0];
  EXPECT_EQ(m.sender.id, "mycreate");
  EXPECT_EQ(m.external_id, "4561255354251345929");
  EXPECT_EQ(m.channel_id, 11);
  ASSERT_EQ(m.parts.size(), 1u);
  EXPECT_EQ(m.parts[0].text, "hello");
  EXPECT_EQ(m.metadata["wechat"]["AgentID"].asString(), "218");
  EXPECT_EQ(in.answer.body, "success");
  EXPECT_EQ(in.answer.content_type.rfind("text/plain", 0), 0u);

  // Wrong corpid configured -> refused although the signature is right.
  AdapterError wrong = ingest_error(a, wecom_channel("ww0000000000000000"), r);
  EXPECT_EQ(wrong.status(), 401);
  EXPECT_NE(std::string(wrong.what()).find("wx5823bf96d3bd56c7"), std::string::npos);
  // Tampered ciphertext -> the signature no longer matches.
  InboundRequest tampered = r;
  tampered.body.replace(tampered.body.find("RypE"), 4, "RypF");
  EXPECT_EQ(ingest_error(a, wecom_channel(), tampered).status(), 401);
  // Bad signature.
  InboundRequest bad = r;
  bad.query.find("msg_signature")->second = "477715d11cdb4164915debcba66cb864d751f3e7";
  AdapterError e = ingest_error(a, wecom_channel(), bad);
  EXPECT_EQ(e.status(), 401);
  EXPECT_EQ(e.code(), "bad_signature");
  // WeCom never sends plain messages: no downgrade.
  EXPECT_EQ(ingest_error(a, wecom_channel(), plain_post(kWecomToken, kTextXml)).status(), 400);
}

TEST(WechatIngest, OfficialAccountSafeModeWithTheOfficialSample) {
  WechatAdapter a(schema::ChannelType::wechat);
  std::string body = "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[" +
                     std::string(kMp2Encrypt) + "]]></Encrypt></xml>";
  InboundRequest r = request("POST",
                             {{"signature", "anything"},
                              {"msg_signature", "5d197aaffba7e9b25a30732f161a50dee96bd5fa"},
                              {"timestamp", "1409735669"},
                              {"nonce", "1320562132"},
                              {"encrypt_type", "aes"}},
                             body);
  for (std::string mode : {"safe", "compatible"}) {
    Ingest in = a.ingest(mp_channel(mode), r);
    ASSERT_EQ(in.messages.size(), 1u) << mode;
    EXPECT_EQ(in.messages[0].parts[0].type, schema::PartType::text);
    EXPECT_FALSE(in.messages[0].sender.id.empty());
    EXPECT_EQ(in.answer.body, "success");
  }
  EXPECT_EQ(ingest_error(a, mp_channel("safe", "spamtest", "wx0000000000000000"), r).status(), 401);
  // A channel in plain mode has no key for it.
  EXPECT_EQ(ingest_error(a, mp_channel("plain"), r).status(), 400);
}

TEST(WechatIngest, CompatibleModeUsesTheEncryptedCopyAndAcceptsPlain) {
  WechatAdapter a(schema::ChannelType::wechat);
  schema::Channel ch = mp_channel("compatible", "tok123");
  WxBizMsgCrypt c(kMpKey);
  std::string inner = kTextXml;
  std::string enc = c.encrypt(inner, "wx2c2769f8efd9abc2");
  // The outer copy says something else: only the signed, encrypted one counts.
  std::string outer = "<xml><ToUserName>gh_1</ToUserName><FromUserName>oUser</FromUserName>"
                      "<CreateTime>1409735668</CreateTime><MsgType>text</MsgType><Content>forged</Content>"
                      "<MsgId>6054768590064713728</MsgId><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>";
  InboundRequest r = request("POST",
                             {{"msg_signature", msg_signature("tok123", "1409735669", "9", enc)},
                              {"timestamp", "1409735669"},
                              {"nonce", "9"}},
                             outer);
  EXPECT_EQ(a.ingest(ch, r).messages.at(0).parts.at(0).text, "hi");
  EXPECT_EQ(a.ingest(ch, plain_post("tok123", kTextXml)).messages.at(0).parts.at(0).text, "hi");
  // Safe mode refuses the plain form (no downgrade to the body-less signature).
  EXPECT_EQ(ingest_error(a, mp_channel("safe", "tok123"), plain_post("tok123", kTextXml)).status(), 400);
}

TEST(WechatIngest, PlainModeMessages) {
  WechatAdapter a(schema::ChannelType::wechat);
  schema::Channel ch = mp_channel("plain", "tok123");
  Ingest in = a.ingest(ch, plain_post("tok123", kTextXml));
  ASSERT_EQ(in.messages.size(), 1u);
  EXPECT_EQ(in.messages[0].external_id, "6054768590064713728");
  EXPECT_EQ(in.messages[0].sender.id, "oUser");
  EXPECT_EQ(in.answer.status, 200);
  EXPECT_EQ(in.answer.body, "success");

  AdapterError bad = ingest_error(a, ch, plain_post("other", kTextXml));
  EXPECT_EQ(bad.status(), 401);
  EXPECT_EQ(bad.code(), "bad_signature");
  EXPECT_EQ(ingest_error(a, ch, plain_post("tok123", "<xml><MsgType>text</xml>")).status(), 400);
  EXPECT_EQ(ingest_error(a, ch, plain_post("tok123", "{\"json\":true}")).status(), 400);
  EXPECT_EQ(ingest_error(a, ch, plain_post("tok123", std::string(kMaxXmlBytes + 1, ' '))).status(), 413);

  AdapterError xxe = ingest_error(
      a, ch,
      plain_post("tok123", "<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml><Content>&x;</Content></xml>"));
  EXPECT_EQ(xxe.status(), 400);
  EXPECT_NE(std::string(xxe.what()).find("DOCTYPE"), std::string::npos);
}

TEST(WechatIngest, TimestampWindowIsOffByDefaultAndConfigurable) {
  WechatAdapter a(schema::ChannelType::wechat);
  schema::Channel ch = mp_channel("plain", "tok123");
  EXPECT_NO_THROW(a.ingest(ch, plain_post("tok123", kTextXml, "1409735669")));  // 2014: fine by default
  ch.config["max_timestamp_skew_s"] = 300;
  AdapterError old = ingest_error(a, ch, plain_post("tok123", kTextXml, "1409735669"));
  EXPECT_EQ(old.status(), 401);
  EXPECT_EQ(old.code(), "bad_timestamp");
  EXPECT_NO_THROW(a.ingest(ch, plain_post("tok123", kTextXml, now_s())));
  EXPECT_EQ(ingest_error(a, ch, plain_post("tok123", kTextXml, "soon")).status(), 401);
}

// ---- passive replies -----------------------------------------------------

TEST(WechatPassiveReply, PlainXmlForPlainMode) {
  PassiveReply r;
  r.to_user = "oUser";
  r.from_user = "gh_1";
  r.create_time = 1700000000;
  r.content = "收到 ]]> 谢谢";
  HttpAnswer a = passive_reply_answer(mp_channel("plain", "tok123"), r);
  XmlFields f = parse_xml(a.body);
  EXPECT_EQ(f.get("ToUserName"), "oUser");
  EXPECT_EQ(f.get("MsgType"), "text");
  EXPECT_EQ(f.get("Content"), "收到 ]]> 谢谢");
  EXPECT_EQ(f.get("CreateTime"), "1700000000");

  r.kind = PassiveReply::Kind::image;
  r.media_id = "MEDIA_1";
  XmlFields img = parse_xml(passive_reply_xml(r));
  EXPECT_EQ(img.get("MsgType"), "image");
  EXPECT_EQ(img.get("Image.MediaId"), "MEDIA_1");
}

TEST(WechatPassiveReply, EncryptedEnvelopeVerifiesAndDecrypts) {
  schema::Channel ch = mp_channel("safe", "tok123");
  PassiveReply r;
  r.to_user = "oUser";
  r.from_user = "gh_1";
  r.create_time = 1700000000;
  r.content = "hello";
  HttpAnswer a = passive_reply_answer(ch, r);
  XmlFields env = parse_xml(a.body);
  std::string enc = env.get("Encrypt");
  ASSERT_FALSE(enc.empty());
  EXPECT_TRUE(verify_msg_signature("tok123", env.get("TimeStamp"), env.get("Nonce"), enc, env.get("MsgSignature")));
  XmlFields inner = parse_xml(WxBizMsgCrypt(kMpKey).decrypt(enc, "wx2c2769f8efd9abc2"));
  EXPECT_EQ(inner.get("Content"), "hello");

  // With fixed timestamp/nonce the envelope is exactly WeChat's layout.
  std::string fixed = encrypted_reply_xml(read_settings(ch), "<xml/>", "1409304348", "xxxxxx");
  XmlFields f = parse_xml(fixed);
  ASSERT_EQ(f.entries().size(), 4u);
  EXPECT_EQ(f.entries()[0].first, "Encrypt");
  EXPECT_EQ(f.entries()[1].first, "MsgSignature");
  EXPECT_EQ(f.entries()[2], (XmlFields::Entry{"TimeStamp", "1409304348"}));
  EXPECT_EQ(f.entries()[3], (XmlFields::Entry{"Nonce", "xxxxxx"}));
  EXPECT_EQ(f.get("MsgSignature"), msg_signature("tok123", "1409304348", "xxxxxx", f.get("Encrypt")));
}

}  // namespace
}  // namespace omnigate::adapters::wechat
