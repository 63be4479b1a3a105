#pragma once
// The WeChat channel adapters: one class, parameterised by channel type,
// because the Official Account (ChannelType::wechat) and WeCom
// (ChannelType::wecom) share the signature, WXBizMsgCrypt, the XML and the
// token machinery and differ only in a few switches (which id is the
// receiver, whether URL verification is encrypted, which send API). The
// registry holds one instance per type.
//
// Inbound, at /v1/hooks/{token}:
//   GET  URL verification. Official Account: signature over
//        token/timestamp/nonce, answer echostr. WeCom: msg_signature over
//        token/timestamp/nonce/echostr, answer the decrypted echostr.
//   POST a message or event. plain: `signature`; compatible/safe and WeCom:
//        msg_signature over <Encrypt>, decrypted with the receiver id
//        checked. Answer "success" (text/plain) once the message is durable.
// Outbound: deliver() through the Customer Service API (custom/send) or, for
// WeCom, 微信客服 kf/send_msg; see send.h for the errcode mapping.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/adapter.h"
#include "adapters/wechat/access_token.h"
#include "adapters/wechat/kf_client.h"
#include "adapters/wechat/settings.h"

namespace omnigate::adapters::wechat {

// A passive reply: the answer to the callback itself, instead of "success".
struct PassiveReply {
  enum class Kind { text, image };
  Kind kind = Kind::text;
  std::string to_user;    // the user's OpenID (the message's FromUserName)
  std::string from_user;  // the account (the message's ToUserName)
  std::int64_t create_time = 0;
  std::string content;    // text
  std::string media_id;   // image
};

std::string passive_reply_xml(const PassiveReply& reply);
// The encrypted envelope WeChat expects in safe/compatible mode:
// <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>, MsgSignature
// being the msg_signature over token/timestamp/nonce/Encrypt.
std::string encrypted_reply_xml(const ChannelSettings& settings, std::string_view reply_xml,
                                std::string_view timestamp, std::string_view nonce);
// The full answer for a channel: plain XML in plain mode, otherwise the
// encrypted envelope with a fresh timestamp and nonce.
HttpAnswer passive_reply_answer(const schema::Channel& channel, const PassiveReply& reply);

// A WeCom kf_msg_or_event callback stores nothing: its ingest answers
// "success" and asks for this pull (see PullRequest in adapters/adapter.h).
inline constexpr const char* kPullKfSync = "wecom_kf_sync";

class WechatAdapter : public Adapter {
 public:
  // type is ChannelType::wechat or ::wecom (std::invalid_argument otherwise).
  // Adapters of one process should share one token manager.
  explicit WechatAdapter(schema::ChannelType type = schema::ChannelType::wechat,
                         std::shared_ptr<AccessTokenManager> tokens = nullptr);

  schema::ChannelType type() const override { return type_; }
  void configure(schema::Channel& channel) const override;
  Ingest ingest(const schema::Channel& channel, const InboundRequest& request) const override;
  Delivery deliver(const schema::Channel& channel, const Outbound& outbound) const override;
  // kPullKfSync: 微信客服 kf/sync_msg from `cursor` with the callback's Token
  // (params "token", "open_kfid"), each page normalized. Only the customers'
  // messages and events are handed on: system events about no customer and
  // servicers' own messages (origin 5) have no contact to file them under.
  PullResult pull(const schema::Channel& channel, const PullRequest& request, const std::string& cursor,
                  const PullPageHandler& on_page) const override;

  // An access token, then an API call with it (connection_test.h).
  std::vector<ConnectionCheck> test_connection(const schema::Channel& channel) const override;

  AccessTokenManager& tokens() const { return *tokens_; }
  // A 微信客服 sync client for a WeCom channel (throws AdapterError for an
  // unusable channel config).
  KfSyncClient kf_client(const schema::Channel& channel) const;

 private:
  schema::ChannelType type_;
  std::shared_ptr<AccessTokenManager> tokens_;
};

}  // namespace omnigate::adapters::wechat
