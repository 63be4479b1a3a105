#pragma once
// WeChat's request signatures: SHA1 (lower-case hex) over the values sorted
// byte-wise and concatenated without separators.
//   URL check / plain mode:   signature     = SHA1(sort(token, timestamp, nonce))
//   encrypted mode / WeCom:   msg_signature = SHA1(sort(token, timestamp, nonce, encrypt))
// The plain signature does not cover the body, so a captured one can be
// replayed with any body; that is WeChat's design, which is why safe mode
// (msg_signature covers the ciphertext) is the recommended setting.
#include <initializer_list>
#include <string>
#include <string_view>

namespace omnigate::adapters::wechat {

std::string sorted_sha1_hex(std::initializer_list<std::string_view> values);

std::string url_signature(std::string_view token, std::string_view timestamp, std::string_view nonce);
std::string msg_signature(std::string_view token, std::string_view timestamp, std::string_view nonce,
                          std::string_view encrypt);

// Constant-time checks of a signature as received (hex, either case).
bool verify_url_signature(std::string_view token, std::string_view timestamp, std::string_view nonce,
                          std::string_view signature);
bool verify_msg_signature(std::string_view token, std::string_view timestamp, std::string_view nonce,
                          std::string_view encrypt, std::string_view signature);

}  // namespace omnigate::adapters::wechat
