#pragma once
// WXBizMsgCrypt: the message encryption of WeChat's "safe" and "compatible"
// modes and of every WeCom callback.
//   key        = base64_decode(EncodingAESKey + "=")   (43 chars -> 32 bytes)
//   iv         = key[0..16)
//   plaintext  = random(16) | msg_len (4 bytes, network order) | msg | receiver_id
//   padding    = PKCS#7 to a multiple of 32 bytes (1..32 bytes; never 0, so a
//                plaintext that fills whole blocks gets a full 32-byte block)
//   ciphertext = base64(AES-256-CBC(plaintext + padding)) with AES's own
//                padding off
// receiver_id is the Official Account's appid or the WeCom corpid; a message
// for another receiver is refused even when it decrypts.
#include <stdexcept>
#include <string>
#include <string_view>

namespace omnigate::adapters::wechat {

class WxCryptError : public std::runtime_error {
 public:
  enum class Kind { bad_key, bad_base64, bad_ciphertext, bad_padding, bad_length, wrong_receiver };
  WxCryptError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

struct Opened {
  std::string message;
  std::string receiver_id;
};

class WxBizMsgCrypt {
 public:
  static constexpr size_t kEncodingAesKeyLength = 43;
  static constexpr size_t kBlock = 32;  // WeChat's PKCS#7 block, not AES's 16

  // Throws WxCryptError(bad_key) unless encoding_aes_key is 43 base64 chars.
  explicit WxBizMsgCrypt(std::string_view encoding_aes_key);

  static bool valid_encoding_aes_key(std::string_view encoding_aes_key);
  // A fresh key for an admin to paste into WeChat's console: 43 characters of
  // [A-Za-z0-9] (the console accepts nothing else), 256 bits of entropy.
  static std::string generate_encoding_aes_key();

  // Base64 ciphertext of msg for receiver_id with a fresh random prefix.
  std::string encrypt(std::string_view msg, std::string_view receiver_id) const;
  // The same with a given 16-byte prefix: deterministic, for test vectors.
  std::string encrypt_with_prefix(std::string_view prefix16, std::string_view msg,
                                  std::string_view receiver_id) const;

  // Decrypts and unpacks; no receiver check. Throws WxCryptError.
  Opened open(std::string_view ciphertext_b64) const;
  // Decrypts and insists on expected_receiver. Throws WxCryptError
  // (wrong_receiver when it decrypts for someone else).
  std::string decrypt(std::string_view ciphertext_b64, std::string_view expected_receiver) const;

  const std::string& key() const { return key_; }

 private:
  std::string key_;  // 32 bytes
};

}  // namespace omnigate::adapters::wechat
