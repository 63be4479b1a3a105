#include "adapters/wechat/wx_crypto.h"

#include <cstdint>
#include <limits>

#include "adapters/common/crypto.h"

namespace omnigate::adapters::wechat {
namespace {

constexpr size_t kPrefix = 16;  // random bytes before the length
constexpr size_t kLength = 4;   // msg_len, big-endian

bool base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

std::string iv_of(const std::string& key) { return key.substr(0, 16); }

}  // namespace

bool WxBizMsgCrypt::valid_encoding_aes_key(std::string_view k) {
  if (k.size() != kEncodingAesKeyLength) return false;
  for (char c : k)
    if (!base64_char(c)) return false;
  return true;
}

WxBizMsgCrypt::WxBizMsgCrypt(std::string_view encoding_aes_key) {
  if (!valid_encoding_aes_key(encoding_aes_key))
    throw WxCryptError(WxCryptError::Kind::bad_key, "EncodingAESKey must be 43 characters of [A-Za-z0-9+/]");
  auto key = crypto::base64_decode(std::string(encoding_aes_key) + "=");
  if (!key || key->size() != 32)
    throw WxCryptError(WxCryptError::Kind::bad_key, "EncodingAESKey does not decode to a 32-byte AES key");
  key_ = std::move(*key);
}

std::string WxBizMsgCrypt::generate_encoding_aes_key() {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  while (out.size() < kEncodingAesKeyLength) {
    // Rejection sampling keeps every character equally likely (248 = 4 * 62).
    for (unsigned char b : crypto::random_bytes(64)) {
      if (b >= 248) continue;
      out += alphabet[b % 62];
      if (out.size() == kEncodingAesKeyLength) break;
    }
  }
  return out;
}

std::string WxBizMsgCrypt::encrypt(std::string_view msg, std::string_view receiver_id) const {
  return encrypt_with_prefix(crypto::random_bytes(kPrefix), msg, receiver_id);
}

std::string WxBizMsgCrypt::encrypt_with_prefix(std::string_view prefix16, std::string_view msg,
                                               std::string_view receiver_id) const {
  if (prefix16.size() != kPrefix) throw std::invalid_argument("WXBizMsgCrypt: the prefix must be 16 bytes");
  if (msg.size() > std::numeric_limits<std::uint32_t>::max())
    throw std::invalid_argument("WXBizMsgCrypt: message too long");
  std::string plain;
  plain.reserve(kPrefix + kLength + msg.size() + receiver_id.size() + kBlock);
  plain += prefix16;
  auto n = static_cast<std::uint32_t>(msg.size());
  plain += static_cast<char>((n >> 24) & 0xff);
  plain += static_cast<char>((n >> 16) & 0xff);
  plain += static_cast<char>((n >> 8) & 0xff);
  plain += static_cast<char>(n & 0xff);
  plain += msg;
  plain += receiver_id;
  // PKCS#7 to 32: always 1..32 bytes, so the last byte always says how many.
  size_t pad = kBlock - plain.size() % kBlock;
  plain.append(pad, static_cast<char>(pad));
  return crypto::base64_encode(crypto::aes_256_cbc_encrypt_nopad(key_, iv_of(key_), plain));
}

Opened WxBizMsgCrypt::open(std::string_view ciphertext_b64) const {
  auto cipher = crypto::base64_decode(ciphertext_b64);
  if (!cipher) throw WxCryptError(WxCryptError::Kind::bad_base64, "Encrypt is not valid base64");
  // WeChat pads to 32, so a genuine ciphertext is whole 32-byte blocks.
  if (cipher->empty() || cipher->size() % kBlock != 0)
    throw WxCryptError(WxCryptError::Kind::bad_ciphertext, "ciphertext is not a whole number of 32-byte blocks");
  auto plain = crypto::aes_256_cbc_decrypt_nopad(key_, iv_of(key_), *cipher);
  if (!plain) throw WxCryptError(WxCryptError::Kind::bad_ciphertext, "AES decryption failed");

  // Callers check msg_signature before decrypting, so these outcomes are not
  // a padding oracle: a forged ciphertext never gets this far.
  auto pad = static_cast<unsigned char>(plain->back());
  if (pad < 1 || pad > kBlock) throw WxCryptError(WxCryptError::Kind::bad_padding, "bad PKCS#7 padding");
  for (size_t i = plain->size() - pad; i < plain->size(); ++i)
    if (static_cast<unsigned char>((*plain)[i]) != pad)
      throw WxCryptError(WxCryptError::Kind::bad_padding, "bad PKCS#7 padding");
  size_t end = plain->size() - pad;
  if (end < kPrefix + kLength)
    throw WxCryptError(WxCryptError::Kind::bad_length, "decrypted message is shorter than its header");

  const auto* p = reinterpret_cast<const unsigned char*>(plain->data()) + kPrefix;
  std::uint64_t len = (std::uint64_t{p[0]} << 24) | (std::uint64_t{p[1]} << 16) | (std::uint64_t{p[2]} << 8) | p[3];
  size_t body = kPrefix + kLength;
  if (len > end - body)
    throw WxCryptError(WxCryptError::Kind::bad_length, "decrypted message length exceeds the plaintext");
  Opened out;
  out.message = plain->substr(body, static_cast<size_t>(len));
  out.receiver_id = plain->substr(body + static_cast<size_t>(len), end - body - static_cast<size_t>(len));
  return out;
}

std::string WxBizMsgCrypt::decrypt(std::string_view ciphertext_b64, std::string_view expected_receiver) const {
  Opened o = open(ciphertext_b64);
  if (!crypto::constant_time_equal(o.receiver_id, expected_receiver))
    throw WxCryptError(WxCryptError::Kind::wrong_receiver,
                       "the message is for receiver \"" + o.receiver_id + "\", not this channel's \"" +
                           std::string(expected_receiver) + "\"");
  return std::move(o.message);
}

}  // namespace omnigate::adapters::wechat
