#pragma once
// Outbound HTTP for adapters (libcurl). One call, one request; the caller
// decides what a status means for delivery.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace omnigate::adapters {

struct HttpResponse {
  long status = 0;             // 0 when the request never got an answer
  std::string body;
  std::string transport_error;  // curl's message when it failed before a status
};

HttpResponse http_post(const std::string& url, const std::string& body,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       std::chrono::milliseconds timeout);
// GET with no body; the query belongs in url (see url_encode).
HttpResponse http_get(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                      std::chrono::milliseconds timeout);

// Percent-encodes everything but RFC 3986's unreserved characters, for one
// query parameter value.
std::string url_encode(std::string_view value);

}  // namespace omnigate::adapters
