#pragma once
// The access_token every WeChat API call needs, one cache for the process.
//   Official Account: GET {api_base}/cgi-bin/token?grant_type=client_credential&appid=&secret=
//   WeCom:            GET {api_base}/cgi-bin/gettoken?corpid=&corpsecret=
// A token lives expires_in seconds (7200); it is refreshed 5 minutes before
// that. WeChat invalidates the previous token when a new one is issued and
// rate-limits the endpoint, so many concurrent senders share one refresh
// (single flight): the first caller fetches, the others wait for its result,
// success or error. After an API answers 40001/40014/42001 the caller
// invalidates exactly the token it used and asks again; callers that used
// the same stale token then cause one refresh, not one each.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "adapters/wechat/settings.h"

namespace omnigate::adapters::wechat {

struct TokenCredentials {
  Flavor flavor = Flavor::official_account;
  std::string api_base;  // no trailing slash
  std::string app_id;    // appid / corpid
  std::string secret;    // appsecret / corpsecret

  static TokenCredentials of(const ChannelSettings& s) { return {s.flavor, s.api_base, s.receiver_id, s.secret}; }
};

class TokenError : public std::runtime_error {
 public:
  TokenError(bool retryable, long errcode, const std::string& message)
      : std::runtime_error(message), retryable_(retryable), errcode_(errcode) {}
  // True for network trouble, 5xx and "system busy"; false when WeChat
  // refused the credentials (wrong secret, IP not whitelisted, ...).
  bool retryable() const { return retryable_; }
  long errcode() const { return errcode_; }

 private:
  bool retryable_;
  long errcode_;
};

// True for the errcodes that mean "this access_token is not (any longer)
// valid": 40001 invalid credential, 40014 invalid token, 42001 expired.
bool is_token_errcode(long errcode);

class AccessTokenManager {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  static constexpr std::chrono::seconds kRefreshMargin{300};

  explicit AccessTokenManager(std::chrono::milliseconds timeout = std::chrono::seconds(10),
                              Clock clock = [] { return std::chrono::steady_clock::now(); });

  // A valid token, fetching one when none is cached or it is due for
  // refresh. Thread-safe. Throws TokenError.
  std::string get(const TokenCredentials& credentials);
  // Forgets `stale` if it is still the cached token for these credentials.
  void invalidate(const TokenCredentials& credentials, const std::string& stale);
  // Token endpoint requests made so far (metrics, tests).
  std::uint64_t fetches() const;

 private:
  struct Entry {
    std::string token;
    std::chrono::steady_clock::time_point refresh_at{};
    std::chrono::steady_clock::time_point expires_at{};
    bool refreshing = false;
    std::uint64_t generation = 0;  // bumped by every finished fetch
    std::optional<TokenError> last_error;
  };
  struct Fetched {
    std::string token;
    std::chrono::seconds expires_in{0};
  };

  Fetched fetch(const TokenCredentials& c) const;

  std::chrono::milliseconds timeout_;
  Clock clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Entry> entries_;  // node-based: references stay valid
  std::uint64_t fetches_ = 0;
};

}  // namespace omnigate::adapters::wechat
