#include "adapters/wechat/settings.h"

#include <stdexcept>

#include "adapters/adapter.h"
#include "adapters/common/crypto.h"
#include "adapters/wechat/wx_crypto.h"

namespace omnigate::adapters::wechat {
namespace {

constexpr int kMaxSkewSeconds = 86400;

const char* receiver_key(Flavor f) { return f == Flavor::wecom ? "corp_id" : "app_id"; }
const char* secret_key(Flavor f) { return f == Flavor::wecom ? "secret" : "app_secret"; }

bool alnum(std::string_view s) {
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

// WeChat's console takes a Token of 3 to 32 letters and digits.
std::string generate_token() {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  while (out.size() < 32)
    for (unsigned char b : crypto::random_bytes(48))
      if (b < 248 && out.size() < 32) out += alphabet[b % 62];
  return out;
}

std::string optional_string(const Json::Value& obj, const char* key, const char* where) {
  const Json::Value& v = obj[key];
  if (v.isNull()) return {};
  if (!v.isString()) throw AdapterError::invalid_config(std::string(where) + "." + key + ": expected a string");
  return v.asString();
}

Mode parse_mode(const std::string& s) {
  if (s == "plain") return Mode::plain;
  if (s == "compatible") return Mode::compatible;
  if (s == "safe") return Mode::safe;
  throw AdapterError::invalid_config("config.mode: expected \"plain\", \"compatible\" or \"safe\"");
}

std::string check_api_base(std::string base) {
  if (!(base.starts_with("http://") || base.starts_with("https://")) || base.find_first_of(" ?#") != std::string::npos)
    throw AdapterError::invalid_config("config.api_base: expected an http:// or https:// base URL");
  while (base.ends_with("/")) base.pop_back();
  return base;
}

}  // namespace

Flavor flavor_of(schema::ChannelType type) {
  if (type == schema::ChannelType::wechat) return Flavor::official_account;
  if (type == schema::ChannelType::wecom) return Flavor::wecom;
  throw std::invalid_argument("not a WeChat channel type");
}

std::string_view to_string(Mode mode) {
  switch (mode) {
    case Mode::plain: return "plain";
    case Mode::compatible: return "compatible";
    case Mode::safe: return "safe";
  }
  return "plain";
}

void configure_channel(schema::Channel& channel) {
  Flavor flavor = flavor_of(channel.type);
  if (channel.config.isNull()) channel.config = Json::Value(Json::objectValue);
  if (!channel.config.isObject()) throw AdapterError::invalid_config("config: expected an object");
  if (channel.secrets.isNull()) channel.secrets = Json::Value(Json::objectValue);
  if (!channel.secrets.isObject()) throw AdapterError::invalid_config("secrets: expected an object");
  const Json::Value& config = channel.config;  // const: operator[] must not add keys

  std::string receiver = optional_string(config, receiver_key(flavor), "config");
  if (receiver.empty() || receiver.size() > 64 || !alnum(receiver))
    throw AdapterError::invalid_config(std::string("config.") + receiver_key(flavor) +
                                       ": required, the " + (flavor == Flavor::wecom ? "corp ID" : "AppID") +
                                       " from WeChat's console (letters and digits)");

  std::string mode_text = optional_string(config, "mode", "config");
  // Keys an admin typed into config move to secrets, replacing what is
  // stored: that is how an admin changes the AppSecret or pastes WeChat's
  // Token. Left out, the stored (or generated) value stays.
  for (const char* key : {"token", "encoding_aes_key", secret_key(flavor)}) {
    std::string in_config = optional_string(config, key, "config");
    if (!in_config.empty()) channel.secrets[key] = in_config;
    channel.config.removeMember(key);
  }
  std::string token = optional_string(channel.secrets, "token", "secrets");
  std::string aes = optional_string(channel.secrets, "encoding_aes_key", "secrets");

  Mode mode;
  if (flavor == Flavor::wecom) {
    if (!mode_text.empty() && mode_text != "safe")
      throw AdapterError::invalid_config("config.mode: WeCom callbacks are always encrypted; use \"safe\" or omit it");
    mode = Mode::safe;
  } else if (!mode_text.empty()) {
    mode = parse_mode(mode_text);
  } else {
    mode = aes.empty() ? Mode::plain : Mode::safe;
  }
  channel.config["mode"] = std::string(to_string(mode));

  if (token.empty()) channel.secrets["token"] = token = generate_token();
  if (token.size() < 3 || token.size() > 32 || !alnum(token))
    throw AdapterError::invalid_config("secrets.token: expected 3 to 32 letters and digits");
  if (mode != Mode::plain && aes.empty())
    channel.secrets["encoding_aes_key"] = aes = WxBizMsgCrypt::generate_encoding_aes_key();
  if (!aes.empty() && !WxBizMsgCrypt::valid_encoding_aes_key(aes))
    throw AdapterError::invalid_config("secrets.encoding_aes_key: expected 43 characters of [A-Za-z0-9]");

  std::string base = optional_string(config, "api_base", "config");
  if (!base.empty()) channel.config["api_base"] = check_api_base(base);

  const Json::Value& skew = config["max_timestamp_skew_s"];
  if (!skew.isNull() && (!skew.isInt() || skew.asInt() < 0 || skew.asInt() > kMaxSkewSeconds))
    throw AdapterError::invalid_config("config.max_timestamp_skew_s: expected whole seconds from 0 (off) to 86400");
  std::string kfid = optional_string(config, "open_kfid", "config");
  if (flavor != Flavor::wecom && !kfid.empty())
    throw AdapterError::invalid_config("config.open_kfid: only WeCom channels have one");
}

ChannelSettings read_settings(const schema::Channel& channel) {
  ChannelSettings s;
  s.flavor = flavor_of(channel.type);
  s.channel_id = channel.id;
  const Json::Value& config = channel.config;
  const Json::Value& secrets = channel.secrets;
  if (!config.isObject() || !secrets.isObject())
    throw AdapterError::invalid_config("channel is not configured (config and secrets must be objects)");
  s.receiver_id = optional_string(config, receiver_key(s.flavor), "config");
  s.token = optional_string(secrets, "token", "secrets");
  s.encoding_aes_key = optional_string(secrets, "encoding_aes_key", "secrets");
  s.secret = optional_string(secrets, secret_key(s.flavor), "secrets");
  s.open_kfid = optional_string(config, "open_kfid", "config");
  std::string mode = optional_string(config, "mode", "config");
  s.mode = s.flavor == Flavor::wecom ? Mode::safe
           : mode.empty()            ? (s.encoding_aes_key.empty() ? Mode::plain : Mode::safe)
                                     : parse_mode(mode);
  std::string base = optional_string(config, "api_base", "config");
  s.api_base = check_api_base(base.empty() ? (s.flavor == Flavor::wecom ? kDefaultWecomApiBase : kDefaultApiBase)
                                           : base);
  const Json::Value& skew = config["max_timestamp_skew_s"];
  if (skew.isInt() && skew.asInt() > 0) s.max_timestamp_skew = std::chrono::seconds(skew.asInt());
  if (s.receiver_id.empty()) throw AdapterError::invalid_config("channel has no app_id / corp_id");
  if (s.token.empty()) throw AdapterError::invalid_config("channel has no token");
  if (s.mode != Mode::plain && !WxBizMsgCrypt::valid_encoding_aes_key(s.encoding_aes_key))
    throw AdapterError::invalid_config("channel in encrypted mode has no valid encoding_aes_key");
  return s;
}

}  // namespace omnigate::adapters::wechat
