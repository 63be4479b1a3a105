#pragma once
// Outbound through WeChat's APIs, with the access-token dance and the
// mapping of WeChat's errcodes to the delivery states an agent understands.
//   Official Account: POST {api_base}/cgi-bin/message/custom/send?access_token=
//     {"touser":OpenID,"msgtype":"text","text":{"content":...}}
//     {"touser":OpenID,"msgtype":"image","image":{"media_id":...}}
//   WeCom 微信客服:    POST {api_base}/cgi-bin/kf/send_msg?access_token=
//     {"touser":external_userid,"open_kfid":...,"msgid":...,"msgtype":"text","text":{"content":...}}
//
//   errcode 0                      -> sent
//   45015                          -> failed: outside the 48-hour window / unsubscribed
//   45047, 45009, 45011            -> retry later (quotas)
//   40001, 40014, 42001            -> refresh the token once and resend; again -> retry
//   -1, network errors, HTTP 5xx   -> retry with exponential backoff
//   anything else                  -> failed with WeChat's errmsg
#include <chrono>
#include <optional>
#include <string>

#include <json/value.h>

#include "adapters/adapter.h"
#include "adapters/wechat/access_token.h"

namespace omnigate::adapters::wechat {

inline constexpr std::chrono::seconds kApiTimeout{10};

struct ApiResult {
  std::string transport_error;  // set when no HTTP answer came back
  long http_status = 0;
  long errcode = 0;             // 0 when absent
  std::string errmsg;
  Json::Value body;             // the parsed answer (null if not JSON)
};

// POSTs JSON to {api_base}{path}?access_token=<token>; on a token errcode it
// invalidates that token, fetches a new one and sends once more. Throws
// TokenError when no token can be had.
ApiResult post_with_token(AccessTokenManager& tokens, const TokenCredentials& credentials, const std::string& path,
                          const std::string& json_body, std::chrono::milliseconds timeout = kApiTimeout);
// The same for a GET of {api_base}{path}?access_token=<token> (no other query).
ApiResult get_with_token(AccessTokenManager& tokens, const TokenCredentials& credentials, const std::string& path,
                         std::chrono::milliseconds timeout = kApiTimeout);

// WeChat's message body for a stored message: its text parts joined with
// newlines, or its one image (by media_id). nullopt with `why` set for
// anything else (WeChat takes one kind per message).
std::optional<Json::Value> message_content(const schema::Message& message, std::string& why);

// Maps an API answer to a delivery state. attempt (1-based) scales the
// backoff of transient failures.
Delivery outcome_of(const ApiResult& result, int attempt);

Delivery send_custom_message(AccessTokenManager& tokens, const TokenCredentials& credentials,
                             const std::string& openid, const schema::Message& message, int attempt,
                             std::chrono::milliseconds timeout = kApiTimeout);

Delivery send_kf_message(AccessTokenManager& tokens, const TokenCredentials& credentials,
                         const std::string& open_kfid, const std::string& external_userid,
                         const schema::Message& message, int attempt,
                         std::chrono::milliseconds timeout = kApiTimeout);

}  // namespace omnigate::adapters::wechat
