#pragma once
// A WeChat channel's settings, read from schema::Channel and checked once.
//
// Official Account (ChannelType::wechat):
//   config  {"app_id": "wx…", "mode": "plain"|"compatible"|"safe",
//            "api_base": "https://api.weixin.qq.com", "max_timestamp_skew_s": 0}
//   secrets {"token": "...", "encoding_aes_key": "<43 chars>", "app_secret": "..."}
// WeCom / 微信客服 (ChannelType::wecom):
//   config  {"corp_id": "ww…", "open_kfid": "wk…" (optional),
//            "api_base": "https://qyapi.weixin.qq.com", "max_timestamp_skew_s": 0}
//   secrets {"token": "...", "encoding_aes_key": "<43 chars>", "secret": "..."}
//   WeCom callbacks are always encrypted, so mode is always "safe".
//
// token and encoding_aes_key are signing/decryption keys, so they live in
// secrets (admins only); an admin may still send them in config, and
// configure() moves them. When left empty configure() generates them, for
// the admin to paste into WeChat's console. Plain mode needs no AES key.
// max_timestamp_skew_s (0 = off, the default) refuses requests whose
// timestamp is further than that from now; off by default because WeChat
// promises no clock sync and replays are stopped by MsgId dedup anyway.
#include <chrono>
#include <string>

#include "schema/channel.h"

namespace omnigate::adapters::wechat {

enum class Flavor { official_account, wecom };
enum class Mode { plain, compatible, safe };

inline constexpr const char* kDefaultApiBase = "https://api.weixin.qq.com";
inline constexpr const char* kDefaultWecomApiBase = "https://qyapi.weixin.qq.com";

struct ChannelSettings {
  Flavor flavor = Flavor::official_account;
  std::int64_t channel_id = 0;
  std::string receiver_id;  // app_id (Official Account) or corp_id (WeCom)
  std::string token;
  std::string encoding_aes_key;  // empty in plain mode
  Mode mode = Mode::plain;
  std::string api_base;  // no trailing slash
  std::string secret;    // app_secret / WeCom secret; empty: inbound only
  std::string open_kfid;
  std::chrono::seconds max_timestamp_skew{0};
};

Flavor flavor_of(schema::ChannelType type);  // throws std::invalid_argument for other types
std::string_view to_string(Mode mode);

// Validates channel.config/secrets, moves token/encoding_aes_key from config
// to secrets and fills in generated ones. Throws AdapterError::invalid_config.
void configure_channel(schema::Channel& channel);

// Reads a configured channel. Throws AdapterError::invalid_config when the
// stored settings are unusable (e.g. edited around configure()).
ChannelSettings read_settings(const schema::Channel& channel);

}  // namespace omnigate::adapters::wechat
