#include "adapters/email/thread_ids.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "adapters/adapter.h"
#include "adapters/common/crypto.h"

namespace omnigate::adapters::email {
namespace {

constexpr size_t kMacBytes = 10;
constexpr std::string_view kMessageIdPrefix = "og.";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string signing_secret(const schema::Channel& channel) {
  const Json::Value& s = channel.secrets.isObject() ? channel.secrets["signing_secret"] : Json::Value::nullSingleton();
  if (!s.isString() || s.asString().empty())
    throw AdapterError::invalid_config("email channel " + std::to_string(channel.id) +
                                       " has no secrets.signing_secret (save its config to generate one)");
  return s.asString();
}

struct Address {
  std::string local, domain;
};

Address our_address(const schema::Channel& channel) {
  const Json::Value& a = channel.config.isObject() ? channel.config["address"] : Json::Value::nullSingleton();
  std::string address = a.isString() ? a.asString() : "";
  size_t at = address.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == address.size())
    throw AdapterError::invalid_config("email channel " + std::to_string(channel.id) +
                                       ": config.address must be a mail address like support@example.com");
  return {address.substr(0, at), address.substr(at + 1)};
}

// `purpose` keeps the two kinds of id apart: a conversation token never
// passes as a Message-ID mac for the same number, nor the other way round.
std::string mac(const schema::Channel& channel, std::string_view purpose, std::int64_t id) {
  std::string m = crypto::hmac_sha256(signing_secret(channel), std::string(purpose) + ":" + std::to_string(id));
  return crypto::to_hex(std::string_view(m).substr(0, kMacBytes));
}

std::optional<std::int64_t> positive_int(std::string_view s) {
  std::int64_t v = 0;
  if (s.empty() || s.size() > 18) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

// "<id><sep><mac>" checked against purpose; nullopt for anything else.
std::optional<std::int64_t> verify(const schema::Channel& channel, std::string_view purpose, std::string_view text,
                                   char sep) {
  size_t cut = text.find(sep);
  if (cut == std::string_view::npos) return std::nullopt;
  auto id = positive_int(text.substr(0, cut));
  if (!id) return std::nullopt;
  std::string given = lower(text.substr(cut + 1));
  if (!crypto::constant_time_equal(given, mac(channel, purpose, *id))) return std::nullopt;
  return id;
}

}  // namespace

std::string conversation_token(const schema::Channel& channel, std::int64_t conversation_id) {
  return std::to_string(conversation_id) + "-" + mac(channel, "conversation", conversation_id);
}

std::optional<std::int64_t> conversation_from_token(const schema::Channel& channel, std::string_view token) {
  return verify(channel, "conversation", token, '-');
}

std::string plus_address(const schema::Channel& channel, std::int64_t conversation_id) {
  Address a = our_address(channel);
  return a.local + "+" + conversation_token(channel, conversation_id) + "@" + a.domain;
}

std::optional<std::int64_t> conversation_from_address(const schema::Channel& channel, std::string_view address) {
  Address ours = our_address(channel);
  size_t at = address.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  if (lower(address.substr(at + 1)) != lower(ours.domain)) return std::nullopt;
  std::string local = lower(address.substr(0, at));
  std::string prefix = lower(ours.local) + "+";
  if (!local.starts_with(prefix)) return std::nullopt;
  return conversation_from_token(channel, std::string_view(local).substr(prefix.size()));
}

std::string our_message_id(const schema::Channel& channel, std::int64_t message_id) {
  return std::string(kMessageIdPrefix) + std::to_string(message_id) + "." + mac(channel, "message", message_id) + "@" +
         our_address(channel).domain;
}

std::optional<std::int64_t> message_from_our_message_id(const schema::Channel& channel, std::string_view message_id) {
  if (message_id.starts_with('<') && message_id.ends_with('>') && message_id.size() >= 2)
    message_id = message_id.substr(1, message_id.size() - 2);
  size_t at = message_id.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view left = message_id.substr(0, at);
  if (!left.starts_with(kMessageIdPrefix)) return std::nullopt;
  return verify(channel, "message", left.substr(kMessageIdPrefix.size()), '.');
}

}  // namespace omnigate::adapters::email
