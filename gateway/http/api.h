#pragma once
// What every route shares: the typed error that becomes
// {"error":{"code":..,"message":..}}, JSON bodies in and out, and bearer-token
// authentication.
#include <stdexcept>
#include <string>

#include <httplib.h>
#include <json/value.h>

#include "gateway/services.h"
#include "schema/agent.h"

namespace omnigate::gateway::http {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }

 private:
  int status_;
  std::string code_;
};

void send_json(httplib::Response& res, int status, const Json::Value& body);
void send_error(httplib::Response& res, int status, const std::string& code, const std::string& message);
// The request body as a JSON object; ApiError 400 otherwise.
Json::Value json_body(const httplib::Request& req);
// A query parameter as an integer in [min, max], `fallback` when absent.
std::int64_t int_param(const httplib::Request& req, const char* name, std::int64_t fallback, std::int64_t min,
                       std::int64_t max);
std::int64_t path_id(const httplib::Request& req, size_t match_index);

// The user behind "Authorization: Bearer <token>"; ApiError 401 otherwise.
schema::Agent require_user(Services& s, const httplib::Request& req);
// As require_user, and ApiError 403 unless the user is an admin.
schema::Agent require_admin(Services& s, const httplib::Request& req);

}  // namespace omnigate::gateway::http
