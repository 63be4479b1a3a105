// POST /v1/auth/login {"login","password"} -> {"token","expires_in","expires_at","user"}
//   A disabled user cannot log in; an expired or revoked token is refused (401) everywhere.
// POST /v1/auth/logout (Bearer) -> revokes that token.
#include <chrono>
#include <mutex>
#include <unordered_map>

#include "gateway/http/api.h"
#include "gateway/http/front.h"
#include "gateway/logging.h"
#include "schema/json.h"
#include "workbench/auth/password.h"

namespace omnigate::gateway::http {
namespace {

// Slows password guessing: after kMaxFailures wrong passwords for one login
// within kWindow, that login is refused (429) until the window has passed.
class LoginThrottle {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr std::chrono::minutes kWindow{15};

  bool locked(const std::string& login) {
    std::lock_guard lk(mu_);
    auto it = failures_.find(login);
    if (it == failures_.end()) return false;
    if (std::chrono::steady_clock::now() - it->second.first_failure > kWindow) {
      failures_.erase(it);
      return false;
    }
    return it->second.count >= kMaxFailures;
  }
  void failed(const std::string& login) {
    std::lock_guard lk(mu_);
    if (failures_.size() > 100000) failures_.clear();  // bounded under a spray of logins
    auto& f = failures_[login];
    if (f.count == 0) f.first_failure = std::chrono::steady_clock::now();
    ++f.count;
  }
  void succeeded(const std::string& login) {
    std::lock_guard lk(mu_);
    failures_.erase(login);
  }

 private:
  struct Failures {
    int count = 0;
    std::chrono::steady_clock::time_point first_failure;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Failures> failures_;
};

}  // namespace

void add_auth_routes(Front& front) {
  Services& s = front.services();
  auto throttle = std::make_shared<LoginThrottle>();

  front.route("POST", "/v1/auth/login", "/v1/auth/login", [&s, throttle](const httplib::Request& req, httplib::Response& res) {
    Json::Value body = json_body(req);
    if (!body["login"].isString() || !body["password"].isString())
      throw ApiError(400, "bad_request", "login and password: required strings");
    std::string login = body["login"].asString();
    if (throttle->locked(login))
      throw ApiError(429, "too_many_attempts", "too many failed logins, try again later");
    auto agent = s.agents.find_by_login(login);
    if (!agent || !workbench::verify_password(body["password"].asString(), agent->password_hash)) {
      throttle->failed(login);
      spdlog::warn("event=auth.login_failed login={} remote={}", q(login), req.remote_addr);
      throw ApiError(401, "invalid_credentials", "wrong login or password");
    }
    throttle->succeeded(login);
    Json::Value out(Json::objectValue);
    auto issued = s.agents.issue_token(agent->id, std::chrono::seconds(s.config.token_ttl_s));
    out["token"] = issued.token;
    out["expires_in"] = s.config.token_ttl_s;
    out["expires_at"] = schema::format_timestamp(issued.expires_at);
    out["user"] = schema::to_json(*agent);
    send_json(res, 200, out);
  });

  front.route("POST", "/v1/auth/logout", "/v1/auth/logout", [&s](const httplib::Request& req, httplib::Response& res) {
    require_user(s, req);
    s.agents.revoke_token(req.get_header_value("Authorization").substr(7));
    res.status = 204;
  });
}

}  // namespace omnigate::gateway::http
