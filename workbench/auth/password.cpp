#include "workbench/auth/password.h"

#include <openssl/evp.h>

#include <charconv>
#include <stdexcept>
#include <vector>

#include "adapters/common/crypto.h"

namespace omnigate::workbench {
namespace {

constexpr size_t kHashBytes = 32;
constexpr size_t kSaltBytes = 16;

std::string derive(std::string_view password, std::string_view salt, const ScryptParams& p) {
  std::string out(kHashBytes, '\0');
  std::uint64_t n = std::uint64_t{1} << p.log2_n;
  // maxmem must cover 128 * N * r * p plus slack, or OpenSSL refuses.
  std::uint64_t maxmem = 128 * n * static_cast<std::uint64_t>(p.r) * static_cast<std::uint64_t>(p.p) + (1 << 20);
  if (EVP_PBE_scrypt(password.data(), password.size(), reinterpret_cast<const unsigned char*>(salt.data()),
                     salt.size(), n, static_cast<std::uint64_t>(p.r), static_cast<std::uint64_t>(p.p), maxmem,
                     reinterpret_cast<unsigned char*>(out.data()), out.size()) != 1)
    throw std::runtime_error("scrypt failed");
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

bool to_int(std::string_view s, int& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::string hash_password(std::string_view password, ScryptParams params) {
  std::string salt = crypto::random_bytes(kSaltBytes);
  return "scrypt$" + std::to_string(params.log2_n) + "$" + std::to_string(params.r) + "$" +
         std::to_string(params.p) + "$" + crypto::base64_encode(salt) + "$" +
         crypto::base64_encode(derive(password, salt, params));
}

bool verify_password(std::string_view password, std::string_view stored) {
  auto f = split(stored, '$');
  ScryptParams p;
  if (f.size() != 6 || f[0] != "scrypt" || !to_int(f[1], p.log2_n) || !to_int(f[2], p.r) || !to_int(f[3], p.p))
    return false;
  if (p.log2_n < 1 || p.log2_n > 20 || p.r < 1 || p.r > 32 || p.p < 1 || p.p > 16) return false;
  auto salt = crypto::base64_decode(f[4]);
  auto expected = crypto::base64_decode(f[5]);
  if (!salt || !expected || expected->size() != kHashBytes) return false;
  // Parameters inside the ranges above can still be refused by OpenSSL (it
  // needs N < 2^(16 r)): a hash we cannot recompute is malformed, not an error.
  try {
    return crypto::constant_time_equal(derive(password, *salt, p), *expected);
  } catch (const std::runtime_error&) {
    return false;
  }
}

}  // namespace omnigate::workbench
