#include "adapters/wechat/wechat_adapter.h"

#include <charconv>

#include "adapters/common/crypto.h"
#include "adapters/wechat/connection_test.h"
#include "adapters/wechat/normalize.h"
#include "adapters/wechat/send.h"
#include "adapters/wechat/signature.h"
#include "adapters/wechat/wx_crypto.h"
#include "adapters/wechat/xml.h"
#include "schema/time.h"

namespace omnigate::adapters::wechat {
namespace {

HttpAnswer text_answer(std::string body) {
  HttpAnswer a;
  a.status = 200;
  // text/plain: echostr comes from the query, and must never be rendered.
  a.content_type = "text/plain; charset=utf-8";
  a.body = std::move(body);
  return a;
}

std::string required_param(const InboundRequest& req, const char* name) {
  std::string v = req.param(name);
  if (v.empty()) throw AdapterError::bad_signature(std::string("missing query parameter ") + name);
  return v;
}

// max_timestamp_skew 0 = off (the default; see settings.h).
void check_timestamp(const ChannelSettings& s, const std::string& timestamp) {
  std::int64_t ts = 0;
  auto [p, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
  if (ec != std::errc() || p != timestamp.data() + timestamp.size())
    throw AdapterError::bad_signature("timestamp: expected unix seconds");
  if (s.max_timestamp_skew.count() == 0) return;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(schema::now().time_since_epoch()).count();
  auto skew = now > ts ? now - ts : ts - now;
  if (skew > s.max_timestamp_skew.count())
    throw AdapterError(401, "bad_timestamp",
                       "timestamp is " + std::to_string(skew) + " s from now, more than the allowed " +
                           std::to_string(s.max_timestamp_skew.count()) + " s (replayed or clock skew)");
}

// A front that decodes queries as forms turns '+' into ' '; base64 has no
// spaces, so restoring them is safe and keeps such fronts working.
std::string base64_param(std::string v) {
  for (char& c : v)
    if (c == ' ') c = '+';
  return v;
}

std::string decrypt_or_throw(const ChannelSettings& s, const std::string& encrypt) {
  try {
    return WxBizMsgCrypt(s.encoding_aes_key).decrypt(encrypt, s.receiver_id);
  } catch (const WxCryptError& e) {
    // The signature was valid, so this is WeChat's message for another
    // receiver (wrong app/corp id configured) or a corrupt one.
    if (e.kind() == WxCryptError::Kind::wrong_receiver) throw AdapterError::bad_signature(e.what());
    throw AdapterError::bad_request(std::string("cannot decrypt the message: ") + e.what());
  }
}

XmlFields parse_or_throw(std::string_view doc) {
  try {
    return parse_xml(doc);
  } catch (const XmlError& e) {
    throw AdapterError::bad_request(e.what());
  }
}

Ingest verify_url(const ChannelSettings& s, const InboundRequest& req) {
  std::string timestamp = required_param(req, "timestamp");
  std::string nonce = required_param(req, "nonce");
  std::string echostr = required_param(req, "echostr");
  Ingest out;
  if (s.flavor == Flavor::wecom) {
    echostr = base64_param(echostr);
    if (!verify_msg_signature(s.token, timestamp, nonce, echostr, required_param(req, "msg_signature")))
      throw AdapterError::bad_signature("msg_signature does not match token, timestamp, nonce and echostr");
    check_timestamp(s, timestamp);
    out.answer = text_answer(decrypt_or_throw(s, echostr));
  } else {
    if (!verify_url_signature(s.token, timestamp, nonce, required_param(req, "signature")))
      throw AdapterError::bad_signature("signature does not match token, timestamp and nonce");
    check_timestamp(s, timestamp);
    out.answer = text_answer(echostr);
  }
  return out;
}

Ingest receive(const ChannelSettings& s, const InboundRequest& req) {
  if (req.body.size() > kMaxXmlBytes) throw AdapterError(413, "payload_too_large", "WeChat XML larger than 1 MiB");
  std::string timestamp = required_param(req, "timestamp");
  std::string nonce = required_param(req, "nonce");
  XmlFields outer = parse_or_throw(req.body);
  auto encrypt = outer.find("Encrypt");

  XmlFields fields;
  if (encrypt) {
    if (s.mode == Mode::plain)
      throw AdapterError::bad_request("encrypted message, but the channel is in plain mode (no EncodingAESKey)");
    if (!verify_msg_signature(s.token, timestamp, nonce, *encrypt, required_param(req, "msg_signature")))
      throw AdapterError::bad_signature("msg_signature does not match token, timestamp, nonce and Encrypt");
    check_timestamp(s, timestamp);
    fields = parse_or_throw(decrypt_or_throw(s, *encrypt));
  } else {
    // Safe mode (and WeCom) must not be downgraded to the weaker plain
    // signature, which does not cover the body.
    if (s.mode == Mode::safe)
      throw AdapterError::bad_request("the channel is in safe mode: expected an <Encrypt>ed message");
    if (!verify_url_signature(s.token, timestamp, nonce, required_param(req, "signature")))
      throw AdapterError::bad_signature("signature does not match token, timestamp and nonce");
    check_timestamp(s, timestamp);
    fields = std::move(outer);
  }
  Ingest out;
  out.answer = text_answer("success");
  if (s.flavor == Flavor::wecom && fields.get("MsgType") == "event" && fields.get("Event") == "kf_msg_or_event") {
    // 微信客服: "there is news", nothing to store; the messages come from
    // kf/sync_msg, which the gateway runs after answering.
    PullRequest pull;
    pull.kind = kPullKfSync;
    pull.params = Json::Value(Json::objectValue);
    pull.params["token"] = fields.get("Token");
    pull.params["open_kfid"] = fields.get("OpenKfId");
    // One cursor per WeCom corp: sync_msg's cursor runs over every account.
    pull.cursor_key = "wecom_kf_sync_cursor";
    out.pulls.push_back(std::move(pull));
    return out;
  }
  out.messages.push_back(normalize(fields, s.channel_id));
  return out;
}

std::string random_nonce() {
  // Digits, like WeChat's own nonces.
  std::string out;
  for (unsigned char b : crypto::random_bytes(10)) out += static_cast<char>('0' + b % 10);
  return out;
}

}  // namespace

std::string passive_reply_xml(const PassiveReply& r) {
  XmlBuilder b;
  b.text("ToUserName", r.to_user).text("FromUserName", r.from_user).number("CreateTime", r.create_time);
  if (r.kind == PassiveReply::Kind::image)
    b.text("MsgType", "image").nested_text("Image", "MediaId", r.media_id);
  else
    b.text("MsgType", "text").text("Content", r.content);
  return b.str();
}

std::string encrypted_reply_xml(const ChannelSettings& s, std::string_view reply_xml, std::string_view timestamp,
                                std::string_view nonce) {
  std::string encrypt = WxBizMsgCrypt(s.encoding_aes_key).encrypt(reply_xml, s.receiver_id);
  XmlBuilder b;
  b.text("Encrypt", encrypt)
      .text("MsgSignature", msg_signature(s.token, timestamp, nonce, encrypt))
      .number("TimeStamp", std::stoll(std::string(timestamp)))
      .text("Nonce", nonce);
  return b.str();
}

HttpAnswer passive_reply_answer(const schema::Channel& channel, const PassiveReply& reply) {
  ChannelSettings s = read_settings(channel);
  HttpAnswer a;
  a.content_type = "application/xml; charset=utf-8";
  std::string xml = passive_reply_xml(reply);
  if (s.mode == Mode::plain) {
    a.body = std::move(xml);
  } else {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(schema::now().time_since_epoch()).count();
    a.body = encrypted_reply_xml(s, xml, std::to_string(now), random_nonce());
  }
  return a;
}

WechatAdapter::WechatAdapter(schema::ChannelType type, std::shared_ptr<AccessTokenManager> tokens)
    : type_(type), tokens_(tokens ? std::move(tokens) : std::make_shared<AccessTokenManager>()) {
  flavor_of(type_);  // throws for a type this adapter does not serve
}

void WechatAdapter::configure(schema::Channel& channel) const {
  if (channel.type != type_) throw AdapterError::invalid_config("channel type does not match the adapter");
  configure_channel(channel);
}

Ingest WechatAdapter::ingest(const schema::Channel& channel, const InboundRequest& req) const {
  ChannelSettings s = read_settings(channel);
  if (req.method == "GET") return verify_url(s, req);
  if (req.method == "POST") return receive(s, req);
  throw AdapterError::method_not_allowed("WeChat callbacks are GET (URL verification) or POST");
}

std::vector<ConnectionCheck> WechatAdapter::test_connection(const schema::Channel& channel) const {
  return test_wechat_connection(*tokens_, read_settings(channel));
}

Delivery WechatAdapter::deliver(const schema::Channel& channel, const Outbound& outbound) const {
  Delivery d;
  try {
    ChannelSettings s = read_settings(channel);
    TokenCredentials creds = TokenCredentials::of(s);
    if (s.flavor == Flavor::official_account)
      return send_custom_message(*tokens_, creds, outbound.recipient_id, outbound.message, outbound.attempt);
    // 微信客服: the account the customer wrote to, else the channel's default.
    std::string kfid = s.open_kfid;
    const Json::Value& meta = outbound.message.metadata;
    if (meta.isObject() && meta["wechat"].isObject() && meta["wechat"]["open_kfid"].isString())
      kfid = meta["wechat"]["open_kfid"].asString();
    return send_kf_message(*tokens_, creds, kfid, outbound.recipient_id, outbound.message, outbound.attempt);
  } catch (const AdapterError& e) {
    d.outcome = Delivery::Outcome::failed;
    d.error = std::string("channel configuration: ") + e.what();
  } catch (const std::exception& e) {
    // deliver() must not throw: anything unexpected is worth another try.
    d.outcome = Delivery::Outcome::retry;
    d.error = e.what();
    d.retry_after = std::chrono::seconds(30);
  }
  return d;
}

PullResult WechatAdapter::pull(const schema::Channel& channel, const PullRequest& request, const std::string& cursor,
                               const PullPageHandler& on_page) const {
  if (request.kind != kPullKfSync) return Adapter::pull(channel, request, cursor, on_page);
  const Json::Value& p = request.params;
  std::string token = p.isObject() && p["token"].isString() ? p["token"].asString() : std::string();
  std::string kfid = p.isObject() && p["open_kfid"].isString() ? p["open_kfid"].asString() : std::string();
  PullResult out;
  try {
    KfSyncClient client = kf_client(channel);
    std::string running = cursor;
    KfSyncResult r = client.sync(cursor, token, kfid, [&](const KfPage& page) {
      std::vector<schema::Message> messages;
      for (const Json::Value& entry : page.messages) {
        schema::Message m;
        try {
          m = normalize_kf_message(entry, channel.id);
        } catch (const AdapterError&) {
          continue;  // an entry without msgid/send_time cannot be stored idempotently
        }
        if (m.direction != schema::Direction::in || m.sender.id.empty()) continue;
        messages.push_back(std::move(m));
      }
      if (!page.next_cursor.empty()) running = page.next_cursor;
      if (on_page) on_page(std::move(messages), running);
    });
    out.pages = r.pages;
    out.cursor = r.next_cursor;
  } catch (const KfSyncError& e) {
    throw PullError(e.retryable(), e.what());
  } catch (const AdapterError& e) {
    throw PullError(false, e.what());
  }
  return out;
}

KfSyncClient WechatAdapter::kf_client(const schema::Channel& channel) const {
  ChannelSettings s = read_settings(channel);
  if (s.flavor != Flavor::wecom) throw AdapterError::invalid_config("微信客服 sync needs a WeCom channel");
  return KfSyncClient(*tokens_, TokenCredentials::of(s));
}

}  // namespace omnigate::adapters::wechat
