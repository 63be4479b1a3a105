#include "adapters/wechat/access_token.h"

#include "adapters/common/crypto.h"
#include "adapters/common/http_client.h"
#include "schema/json.h"

namespace omnigate::adapters::wechat {
namespace {

// The secret is part of the key, so a rotated secret never reuses a token
// fetched with the old one; hashed, so the map holds no secret in clear.
std::string cache_key(const TokenCredentials& c) {
  return std::to_string(static_cast<int>(c.flavor)) + "\n" + c.api_base + "\n" + c.app_id + "\n" +
         crypto::to_hex(crypto::sha256(c.secret));
}

}  // namespace

bool is_token_errcode(long errcode) { return errcode == 40001 || errcode == 40014 || errcode == 42001; }

AccessTokenManager::AccessTokenManager(std::chrono::milliseconds timeout, Clock clock)
    : timeout_(timeout), clock_(std::move(clock)) {}

std::uint64_t AccessTokenManager::fetches() const {
  std::lock_guard lk(mu_);
  return fetches_;
}

AccessTokenManager::Fetched AccessTokenManager::fetch(const TokenCredentials& c) const {
  if (c.secret.empty())
    throw TokenError(false, 0,
                     c.flavor == Flavor::wecom ? "channel has no WeCom secret (secrets.secret)"
                                               : "channel has no AppSecret (secrets.app_secret)");
  std::string url = c.flavor == Flavor::wecom
                        ? c.api_base + "/cgi-bin/gettoken?corpid=" + url_encode(c.app_id) +
                              "&corpsecret=" + url_encode(c.secret)
                        : c.api_base + "/cgi-bin/token?grant_type=client_credential&appid=" + url_encode(c.app_id) +
                              "&secret=" + url_encode(c.secret);
  // Error messages never quote the URL: it carries the secret.
  HttpResponse r = http_get(url, {}, timeout_);
  if (!r.transport_error.empty())
    throw TokenError(true, 0, "access_token request failed: " + r.transport_error);
  if (r.status != 200)
    throw TokenError(r.status >= 500 || r.status == 429, 0,
                     "access_token request answered HTTP " + std::to_string(r.status));
  Json::Value j;
  try {
    j = schema::parse_json(r.body);
  } catch (const schema::InvalidJson&) {
    throw TokenError(true, 0, "access_token request answered something that is not JSON");
  }
  if (!j.isObject()) throw TokenError(true, 0, "access_token request answered something that is not a JSON object");
  long errcode = j.get("errcode", 0).isIntegral() ? static_cast<long>(j.get("errcode", 0).asInt64()) : -1;
  if (errcode != 0) {
    // -1: "system busy", 45009: the daily token quota; both pass.
    bool retryable = errcode == -1 || errcode == 45009 || errcode == 45011;
    throw TokenError(retryable, errcode,
                     "WeChat refused the access_token request: errcode " + std::to_string(errcode) + " (" +
                         j.get("errmsg", "").asString() + ")");
  }
  const Json::Value& token = j["access_token"];
  const Json::Value& expires = j["expires_in"];
  if (!token.isString() || token.asString().empty() || !expires.isIntegral() || expires.asInt64() <= 0)
    throw TokenError(true, 0, "access_token answer lacks access_token/expires_in");
  return {token.asString(), std::chrono::seconds(expires.asInt64())};
}

std::string AccessTokenManager::get(const TokenCredentials& c) {
  std::unique_lock lk(mu_);
  Entry& e = entries_[cache_key(c)];
  for (;;) {
    auto now = clock_();
    if (!e.token.empty() && now < e.refresh_at) return e.token;
    if (e.refreshing) {
      // Someone is fetching. The old token, if not expired, still works.
      if (!e.token.empty() && now < e.expires_at) return e.token;
      std::uint64_t gen = e.generation;
      cv_.wait(lk, [&] { return !e.refreshing; });
      // Share the failure of the fetch we waited for instead of starting
      // another one right away (the endpoint is rate-limited).
      if (e.generation != gen && e.last_error) throw *e.last_error;
      continue;
    }
    e.refreshing = true;
    ++fetches_;
    lk.unlock();
    std::optional<Fetched> got;
    std::optional<TokenError> error;
    try {
      got = fetch(c);
    } catch (const TokenError& err) {
      error = err;
    } catch (const std::exception& err) {
      error = TokenError(true, 0, std::string("access_token request failed: ") + err.what());
    }
    lk.lock();
    e.refreshing = false;
    ++e.generation;
    if (got) {
      auto fetched_at = clock_();
      // Refresh 5 minutes early; for a (never seen) short lifetime, halfway.
      auto margin = std::min<std::chrono::seconds>(kRefreshMargin, got->expires_in / 2);
      e.token = got->token;
      e.expires_at = fetched_at + got->expires_in;
      e.refresh_at = fetched_at + got->expires_in - margin;
      e.last_error.reset();
    } else {
      e.last_error = error;
    }
    cv_.notify_all();
    if (error) throw *error;
    return e.token;
  }
}

void AccessTokenManager::invalidate(const TokenCredentials& c, const std::string& stale) {
  std::lock_guard lk(mu_);
  auto it = entries_.find(cache_key(c));
  if (it != entries_.end() && it->second.token == stale) {
    it->second.token.clear();
    it->second.refresh_at = {};
    it->second.expires_at = {};
  }
}

}  // namespace omnigate::adapters::wechat
