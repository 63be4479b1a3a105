// WeCom 微信客服 over real HTTP: a kf_msg_or_event callback stores nothing
// itself and is answered at once; the gateway then pulls kf/sync_msg (from
// the WeChat stand-in, paged with has_more) in the background, stores the
// customers' messages, saves the cursor in channel_state, and the agent's
// reply goes out through kf/send_msg.
#include "tests/integration/wechat/wechat_fixture.h"

namespace wxtest {
namespace {

const std::string kCustomer = "wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw";
const char* kCursorKey = "wecom_kf_sync_cursor";

Json::Value kf_text(const std::string& msgid, const std::string& text, std::int64_t send_time) {
  Json::Value e(Json::objectValue);
  e["msgid"] = msgid;
  e["open_kfid"] = kOpenKfid;
  e["external_userid"] = kCustomer;
  e["send_time"] = Json::Int64(send_time);
  e["origin"] = 3;
  e["msgtype"] = "text";
  e["text"]["content"] = text;
  return e;
}

std::string kf_event_xml(const std::string& token) {
  return "<xml><ToUserName><![CDATA[" + std::string(kCorpId) + "]]></ToUserName><CreateTime>" + now_s() +
         "</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event>"
         "<Token><![CDATA[" + token + "]]></Token><OpenKfId><![CDATA[" + std::string(kOpenKfid) +
         "]]></OpenKfId></xml>";
}

// WeCom posts msg_signature/timestamp/nonce only.
Callback wecom_callback(const WxChannel& ch, const std::string& xml) {
  std::string encrypt = wx::WxBizMsgCrypt(ch.aes_key).encrypt(xml, ch.receiver);
  std::string ts = now_s(), n = nonce();
  return {query({{"msg_signature", wx::msg_signature(ch.token, ts, n, encrypt)}, {"timestamp", ts}, {"nonce", n}}),
          "<xml><ToUserName><![CDATA[" + ch.receiver + "]]></ToUserName><Encrypt><![CDATA[" + encrypt +
              "]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>"};
}

std::string saved_cursor(const TestGateway& gw, std::int64_t channel_id) {
  db::PgConnection c(gw.db());
  auto r = c.exec("SELECT value FROM channel_state WHERE channel_id = $1 AND key = $2",
                  {std::to_string(channel_id), kCursorKey});
  return r.rows() == 0 ? std::string() : r.str(0, 0);
}

bool wait_cursor(const TestGateway& gw, std::int64_t channel_id, const std::string& want) {
  for (int i = 0; i < 500; ++i) {
    if (saved_cursor(gw, channel_id) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::int64_t empty_identities(const TestGateway& gw) {
  db::PgConnection c(gw.db());
  return c.exec("SELECT count(*) FROM contact_identities WHERE external_id = ''").int64(0, 0);
}

// Answered "success" at once (well inside WeChat's 5 s).
void post_success(const TestGateway& gw, const WxChannel& ch, const Callback& cb) {
  auto started = std::chrono::steady_clock::now();
  auto r = post(gw, ch, cb);
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, "success");
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST(WecomKf, CallbackPullsSyncMsgPagesStoresThemInOrderAndTheReplyGoesThroughKfSendMsg) {
  WechatStandin api;
  TestGateway gw(fast_retries());
  WxChannel ch = wecom(gw, &api);
  api.set_kf_page_size(2);  // 3 messages -> 2 pages, the first with has_more
  const std::vector<std::pair<std::string, std::string>> sent = {
      {"kfmsg_4622416642169452483", "你好，我想退货"},
      {"kfmsg_4622416642169452484", "订单号 20231123-0042"},
      {"kfmsg_4622416642169452485", "快递已经寄出了"}};
  for (size_t i = 0; i < sent.size(); ++i)
    api.add_kf_message(kf_text(sent[i].first, sent[i].second, 1700000600 + static_cast<std::int64_t>(i)));
  const std::string token1 = "ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR";
  api.add_kf_token(token1);

  Callback first = wecom_callback(ch, kf_event_xml(token1));
  post_success(gw, ch, first);
  ASSERT_TRUE(wait_cursor(gw, ch.id, "kfc3")) << "cursor: " << saved_cursor(gw, ch.id);
  EXPECT_EQ(count_messages(gw, ch.id), 3);

  auto syncs = api.requests(WechatStandin::kKfSyncPath);
  ASSERT_EQ(syncs.size(), 2u);
  EXPECT_FALSE(syncs[0].json.isMember("cursor"));
  EXPECT_EQ(syncs[0].json["token"].asString(), token1);
  EXPECT_EQ(syncs[0].json["open_kfid"].asString(), kOpenKfid);
  EXPECT_EQ(syncs[0].answer["has_more"].asInt(), 1);
  EXPECT_EQ(syncs[1].json["cursor"].asString(), "kfc2");
  EXPECT_EQ(syncs[1].json["token"].asString(), token1);
  EXPECT_EQ(syncs[1].answer["has_more"].asInt(), 0);
  for (const auto& r : syncs) {
    EXPECT_EQ(r.errcode(), 0) << r.answer;
    EXPECT_EQ(r.param("access_token"), api.current_token(kCorpId));
  }

  // In order, under the customer, with the right text, in one conversation.
  std::int64_t conversation = 0, last_seq = 0;
  for (const auto& [msgid, text] : sent) {
    Json::Value m = stored_message(gw, ch.id, msgid);
    ASSERT_TRUE(m.isObject()) << msgid;
    EXPECT_EQ(m["parts"][0]["text"].asString(), text);
    EXPECT_EQ(m["sender"]["id"].asString(), kCustomer);
    EXPECT_EQ(m["direction"].asString(), "in");
    if (conversation == 0) conversation = m["conversation_id"].asInt64();
    EXPECT_EQ(m["conversation_id"].asInt64(), conversation);
    EXPECT_GT(m["seq"].asInt64(), last_seq);
    last_seq = m["seq"].asInt64();
  }

  // A second callback with nothing new: one more sync from the saved cursor,
  // nothing stored.
  const std::string token2 = "ENCBpHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NS";
  api.add_kf_token(token2);
  post_success(gw, ch, wecom_callback(ch, kf_event_xml(token2)));
  ASSERT_TRUE(api.wait_for(WechatStandin::kKfSyncPath, 3));
  syncs = api.requests(WechatStandin::kKfSyncPath);
  EXPECT_EQ(syncs[2].json["cursor"].asString(), "kfc3");
  EXPECT_EQ(syncs[2].json["token"].asString(), token2);
  EXPECT_EQ(syncs[2].answer["msg_list"].size(), 0u);

  // WeChat retrying the first callback (3 more times): still nothing new.
  for (int i = 0; i < 3; ++i) post_success(gw, ch, first);
  // A crash between a page's commit and its cursor: the page is read again,
  // and the store's idempotency keeps it single.
  {
    db::PgConnection c(gw.db());
    c.exec("UPDATE channel_state SET value = 'kfc2' WHERE channel_id = $1 AND key = $2",
           {std::to_string(ch.id), kCursorKey});
  }
  post_success(gw, ch, first);
  ASSERT_TRUE(wait_cursor(gw, ch.id, "kfc3"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // any pull still queued finishes
  EXPECT_EQ(count_messages(gw, ch.id), 3);
  for (const auto& [msgid, text] : sent) EXPECT_EQ(count_external(gw, ch.id, msgid), 1) << msgid;

  // A new message arrives: the next callback brings exactly it.
  api.add_kf_message(kf_text("kfmsg_4622416642169452486", "什么时候退款？", 1700000700));
  post_success(gw, ch, wecom_callback(ch, kf_event_xml(token2)));
  ASSERT_TRUE(wait_cursor(gw, ch.id, "kfc4"));
  EXPECT_EQ(count_messages(gw, ch.id), 4);
  Json::Value fourth = stored_message(gw, ch.id, "kfmsg_4622416642169452486");
  EXPECT_EQ(fourth["conversation_id"].asInt64(), conversation);
  EXPECT_EQ(fourth["parts"][0]["text"].asString(), "什么时候退款？");

  // The callbacks themselves never became messages or empty contacts.
  EXPECT_EQ(empty_identities(gw), 0);
  {
    db::PgConnection c(gw.db());
    EXPECT_EQ(c.exec("SELECT count(*) FROM messages WHERE channel_id = $1 AND external_id LIKE 'event:%'",
                     {std::to_string(ch.id)})
                  .int64(0, 0),
              0);
  }

  // The agent's reply goes out through 微信客服 kf/send_msg to the customer.
  auto r = reply(gw, conversation, "退款会在 3 个工作日内到账", gw.agent_token());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  std::int64_t id = parse(r->body)["id"].asInt64();
  DeliveryState d = wait_delivered(gw, id);
  EXPECT_EQ(d.status, "sent") << d.error;
  auto sends = api.requests(WechatStandin::kKfSendPath);
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0].json["touser"].asString(), kCustomer);
  EXPECT_EQ(sends[0].json["open_kfid"].asString(), kOpenKfid);
  EXPECT_EQ(sends[0].json["msgtype"].asString(), "text");
  EXPECT_EQ(sends[0].json["text"]["content"].asString(), "退款会在 3 个工作日内到账");
  EXPECT_EQ(sends[0].errcode(), 0) << sends[0].answer;
  EXPECT_EQ(api.count(WechatStandin::kCustomSendPath), 0u);
}

TEST(WecomKf, AnUnknownCallbackTokenStoresNothingAndSavesNoCursor) {
  WechatStandin api;
  TestGateway gw;
  WxChannel ch = wecom(gw, &api);
  api.add_kf_message(kf_text("kfmsg_1", "hi", 1700000600));
  post_success(gw, ch, wecom_callback(ch, kf_event_xml("NOT_A_CALLBACK_TOKEN")));
  ASSERT_TRUE(api.wait_for(WechatStandin::kKfSyncPath, 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(api.requests(WechatStandin::kKfSyncPath)[0].errcode(), 95007);
  EXPECT_EQ(count_messages(gw, ch.id), 0);
  EXPECT_EQ(saved_cursor(gw, ch.id), "");
  EXPECT_EQ(empty_identities(gw), 0);
}

}  // namespace
}  // namespace wxtest
