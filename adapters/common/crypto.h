#pragma once
// The OpenSSL-backed primitives every part of omnigate shares: one place for
// hashing, MACs, randomness and encodings.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace omnigate::crypto {

std::string sha1(std::string_view data);    // raw 20 bytes
std::string sha256(std::string_view data);  // raw 32 bytes
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
// Cryptographically secure random bytes (RAND_bytes); throws on failure.
std::string random_bytes(size_t n);
// A random token of n bytes as URL-safe base64 without padding.
std::string random_token(size_t n = 24);

std::string to_hex(std::string_view raw);
std::optional<std::string> from_hex(std::string_view hex);
std::string base64_encode(std::string_view raw);
std::optional<std::string> base64_decode(std::string_view text);
std::string base64url_encode(std::string_view raw);  // no padding

// AES-256-CBC with OpenSSL's padding off, for protocols that pad by their own
// rules (WeChat pads PKCS#7 to 32-byte blocks, not AES's 16). key is 32 bytes,
// iv 16, and the input a whole number of 16-byte blocks. Encrypt throws
// std::invalid_argument for wrong sizes; decrypt returns nullopt for them
// (its input comes from the network).
std::string aes_256_cbc_encrypt_nopad(std::string_view key, std::string_view iv, std::string_view plain);
std::optional<std::string> aes_256_cbc_decrypt_nopad(std::string_view key, std::string_view iv,
                                                     std::string_view cipher);

// Compares in time independent of where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace omnigate::crypto
