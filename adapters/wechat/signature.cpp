#include "adapters/wechat/signature.h"

#include <algorithm>
#include <vector>

#include "adapters/common/crypto.h"

namespace omnigate::adapters::wechat {
namespace {

bool matches(const std::string& expected, std::string_view received) {
  // Lower-casing what we received depends only on public input, so it leaks
  // nothing; the comparison itself is constant-time.
  std::string got(received);
  std::transform(got.begin(), got.end(), got.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  return crypto::constant_time_equal(expected, got);
}

}  // namespace

std::string sorted_sha1_hex(std::initializer_list<std::string_view> values) {
  std::vector<std::string_view> sorted(values);
  // std::string_view compares with char_traits<char>, i.e. as unsigned
  // bytes, which is the order Tencent's samples use (strcmp / byte order).
  std::sort(sorted.begin(), sorted.end());
  std::string joined;
  for (auto v : sorted) joined += v;
  return crypto::to_hex(crypto::sha1(joined));
}

std::string url_signature(std::string_view token, std::string_view timestamp, std::string_view nonce) {
  return sorted_sha1_hex({token, timestamp, nonce});
}

std::string msg_signature(std::string_view token, std::string_view timestamp, std::string_view nonce,
                          std::string_view encrypt) {
  return sorted_sha1_hex({token, timestamp, nonce, encrypt});
}

bool verify_url_signature(std::string_view token, std::string_view timestamp, std::string_view nonce,
                          std::string_view signature) {
  return matches(url_signature(token, timestamp, nonce), signature);
}

bool verify_msg_signature(std::string_view token, std::string_view timestamp, std::string_view nonce,
                          std::string_view encrypt, std::string_view signature) {
  return matches(msg_signature(token, timestamp, nonce, encrypt), signature);
}

}  // namespace omnigate::adapters::wechat
