#pragma once
// Password hashing with scrypt (OpenSSL). The stored form carries its own
// parameters: "scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>", so parameters
// can be raised later without invalidating existing hashes.
#include <string>
#include <string_view>

namespace omnigate::workbench {

struct ScryptParams {
  int log2_n = 15;  // N = 32768: ~32 MiB and tens of milliseconds per hash
  int r = 8;
  int p = 1;
};

std::string hash_password(std::string_view password, ScryptParams params = {});
// False for a wrong password or a malformed stored hash. Constant-time compare.
bool verify_password(std::string_view password, std::string_view stored);

}  // namespace omnigate::workbench
