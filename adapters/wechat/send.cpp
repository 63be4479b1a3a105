#include "adapters/wechat/send.h"

#include <algorithm>

#include "adapters/common/http_client.h"
#include "schema/json.h"

namespace omnigate::adapters::wechat {
namespace {

using namespace std::chrono_literals;

// One call with `token`: a POST of `body`, or a GET when body is nullopt.
ApiResult call_once(const TokenCredentials& c, const std::string& path, const std::string& token,
                    const std::optional<std::string>& body, std::chrono::milliseconds timeout) {
  ApiResult out;
  std::string url = c.api_base + path + "?access_token=" + url_encode(token);
  HttpResponse r = body ? http_post(url, *body, {{"Content-Type", "application/json; charset=utf-8"}}, timeout)
                        : http_get(url, {}, timeout);
  out.transport_error = r.transport_error;
  out.http_status = r.status;
  if (!r.transport_error.empty()) return out;
  try {
    out.body = schema::parse_json(r.body);
  } catch (const schema::InvalidJson&) {
    out.body = Json::Value();
  }
  if (out.body.isObject()) {
    const Json::Value& code = out.body["errcode"];
    out.errcode = code.isIntegral() ? static_cast<long>(code.asInt64()) : 0;
    out.errmsg = out.body.get("errmsg", "").asString();
  }
  return out;
}

// Exponential backoff from `base`, capped: attempt 1 -> base, 2 -> 2*base...
std::chrono::seconds backoff(std::chrono::seconds base, int attempt) {
  int shift = std::clamp(attempt - 1, 0, 10);
  return std::min<std::chrono::seconds>(base * (1 << shift), 15min);
}

Delivery retry(std::string why, std::chrono::seconds after) {
  Delivery d;
  d.outcome = Delivery::Outcome::retry;
  d.error = std::move(why);
  d.retry_after = after;
  return d;
}

Delivery failed(std::string why) {
  Delivery d;
  d.outcome = Delivery::Outcome::failed;
  d.error = std::move(why);
  return d;
}

std::string describe(const ApiResult& r) {
  return "errcode " + std::to_string(r.errcode) + (r.errmsg.empty() ? "" : " (" + r.errmsg + ")");
}

Delivery deliver_json(AccessTokenManager& tokens, const TokenCredentials& c, const std::string& path,
                      const Json::Value& payload, int attempt, std::chrono::milliseconds timeout) {
  ApiResult r;
  try {
    r = post_with_token(tokens, c, path, schema::write_json(payload), timeout);
  } catch (const TokenError& e) {
    if (e.retryable()) return retry(e.what(), backoff(5s, attempt));
    return failed(e.what());
  }
  Delivery d = outcome_of(r, attempt);
  if (d.outcome == Delivery::Outcome::sent && r.body.isObject() && r.body["msgid"].isString())
    d.external_id = r.body["msgid"].asString();  // kf/send_msg answers the message's id
  return d;
}

}  // namespace

namespace {

ApiResult call_with_token(AccessTokenManager& tokens, const TokenCredentials& c, const std::string& path,
                          const std::optional<std::string>& body, std::chrono::milliseconds timeout) {
  std::string token = tokens.get(c);
  ApiResult r = call_once(c, path, token, body, timeout);
  if (r.transport_error.empty() && is_token_errcode(r.errcode)) {
    // The token died early (revoked by a fetch elsewhere, or clock drift):
    // drop exactly that one, get a fresh one, try once more.
    tokens.invalidate(c, token);
    token = tokens.get(c);
    r = call_once(c, path, token, body, timeout);
  }
  return r;
}

}  // namespace

ApiResult post_with_token(AccessTokenManager& tokens, const TokenCredentials& c, const std::string& path,
                          const std::string& body, std::chrono::milliseconds timeout) {
  return call_with_token(tokens, c, path, body, timeout);
}

ApiResult get_with_token(AccessTokenManager& tokens, const TokenCredentials& c, const std::string& path,
                         std::chrono::milliseconds timeout) {
  return call_with_token(tokens, c, path, std::nullopt, timeout);
}

std::optional<Json::Value> message_content(const schema::Message& m, std::string& why) {
  std::string text;
  bool has_text = false;
  const schema::Part* image = nullptr;
  for (const schema::Part& p : m.parts) {
    if (p.type == schema::PartType::text) {
      if (has_text) text += "\n";
      text += p.text;
      has_text = true;
    } else if (p.type == schema::PartType::image && !image) {
      image = &p;
    } else {
      why = "WeChat cannot send this message: a " + std::string(schema::to_string(p.type)) +
            " part is not supported (text or one image only)";
      return std::nullopt;
    }
  }
  Json::Value content(Json::objectValue);
  if (image) {
    if (has_text) {
      why = "WeChat sends text and an image as two messages: send the image and the text separately";
      return std::nullopt;
    }
    if (image->media_id.empty()) {
      why = "WeChat sends images by media_id: this image has none (upload it to WeChat first)";
      return std::nullopt;
    }
    content["msgtype"] = "image";
    content["image"]["media_id"] = image->media_id;
    return content;
  }
  if (!has_text || text.empty()) {
    why = "nothing to send: the message has no text";
    return std::nullopt;
  }
  content["msgtype"] = "text";
  content["text"]["content"] = text;
  return content;
}

Delivery outcome_of(const ApiResult& r, int attempt) {
  if (!r.transport_error.empty()) return retry("WeChat API unreachable: " + r.transport_error, backoff(5s, attempt));
  if (r.http_status >= 500 || r.http_status == 429)
    return retry("WeChat API answered HTTP " + std::to_string(r.http_status), backoff(5s, attempt));
  if (r.http_status != 200) return failed("WeChat API answered HTTP " + std::to_string(r.http_status));
  if (!r.body.isObject()) return retry("WeChat API answered something that is not JSON", backoff(5s, attempt));
  switch (r.errcode) {
    case 0: {
      Delivery d;
      d.outcome = Delivery::Outcome::sent;
      return d;
    }
    case 45015:
      return failed("outside the 48-hour window or the user unsubscribed: WeChat only accepts replies within "
                    "48 hours of the user's last message (" + describe(r) + ")");
    case 45047:
      return retry("too many replies since the user's last message; retry later (" + describe(r) + ")", 10min);
    case 45009:
      return retry("the account's daily API quota is used up; retry later (" + describe(r) + ")", 1h);
    case 45011:
      return retry("API rate limit reached; retry later (" + describe(r) + ")", 1min);
    case -1:
      return retry("WeChat is busy (" + describe(r) + ")", backoff(5s, attempt));
    default:
      if (is_token_errcode(r.errcode))
        return retry("access_token refused even after a refresh (" + describe(r) + ")", backoff(30s, attempt));
      return failed("WeChat refused the message: " + describe(r));
  }
}

Delivery send_custom_message(AccessTokenManager& tokens, const TokenCredentials& c, const std::string& openid,
                             const schema::Message& m, int attempt, std::chrono::milliseconds timeout) {
  if (openid.empty()) return failed("no recipient: the conversation's contact has no OpenID on this channel");
  std::string why;
  auto content = message_content(m, why);
  if (!content) return failed(why);
  Json::Value payload(Json::objectValue);
  payload["touser"] = openid;
  for (const auto& k : content->getMemberNames()) payload[k] = (*content)[k];
  return deliver_json(tokens, c, "/cgi-bin/message/custom/send", payload, attempt, timeout);
}

Delivery send_kf_message(AccessTokenManager& tokens, const TokenCredentials& c, const std::string& open_kfid,
                         const std::string& external_userid, const schema::Message& m, int attempt,
                         std::chrono::milliseconds timeout) {
  if (external_userid.empty()) return failed("no recipient: the conversation's contact has no external_userid");
  if (open_kfid.empty())
    return failed("no open_kfid: set config.open_kfid or reply to a conversation that came through 微信客服");
  std::string why;
  auto content = message_content(m, why);
  if (!content) return failed(why);
  Json::Value payload(Json::objectValue);
  payload["touser"] = external_userid;
  payload["open_kfid"] = open_kfid;
  // Our id as WeChat's msgid: a retried send of the same stored message is
  // recognisable as the same message on WeChat's side.
  if (m.id != 0) payload["msgid"] = "og" + std::to_string(m.id);
  for (const auto& k : content->getMemberNames()) payload[k] = (*content)[k];
  return deliver_json(tokens, c, "/cgi-bin/kf/send_msg", payload, attempt, timeout);
}

}  // namespace omnigate::adapters::wechat
