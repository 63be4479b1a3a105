#include "adapters/email/settings.h"

#include <algorithm>
#include <array>

#include "adapters/adapter.h"
#include "adapters/common/crypto.h"
#include "adapters/email/outbound.h"

namespace omnigate::adapters::email {
namespace {

constexpr std::size_t kMaxAttachmentBytesLimit = 50u << 20;  // the parser's cap for all of a mail's attachments
constexpr int kMaxReopenWindowDays = 3650;
constexpr int kMaxPollIntervalSeconds = 86400;
constexpr std::array<std::string_view, 3> kStarttlsModes = {"required", "if_available", "off"};
constexpr std::array<std::string_view, 6> kImapKeys = {"url", "username", "starttls", "poll_interval_seconds",
                                                       "after_fetch", "move_to"};

AdapterError bad(const std::string& what) { return AdapterError::invalid_config(what); }

// A string member: "" when absent; invalid_config when present but not a string.
std::string string_at(const Json::Value& object, const char* key, const std::string& path) {
  const Json::Value& v = object[key];
  if (v.isNull()) return "";
  if (!v.isString()) throw bad(path + key + ": expected a string");
  return v.asString();
}

bool has_control_or_space(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; });
}

void check_address(const std::string& address, bool plus_addressing) {
  const std::string what = "config.address: required, the channel's mail address like support@example.com";
  size_t at = address.find('@');
  if (address.empty() || address.size() > 254 || at == std::string::npos || at == 0 || at + 1 == address.size() ||
      address.find('@', at + 1) != std::string::npos || has_control_or_space(address) ||
      address.find_first_of("<>()[],;:\"\\") != std::string::npos)
    throw bad(what);
  std::string_view domain = std::string_view(address).substr(at + 1);
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos) throw bad(what);
  if (plus_addressing && address.substr(0, at).find('+') != std::string::npos)
    throw bad("config.address: must not contain \"+\" while plus_addressing is on (replies come back to "
              "local+<token>@domain)");
}

// "imap://host:143/INBOX" -> scheme, authority and mailbox checked; the
// mailbox defaults to INBOX. Returns the URL in that normalized form.
std::string check_imap_url(const std::string& url, const std::string& path) {
  std::string scheme = url.starts_with("imaps://") ? "imaps" : url.starts_with("imap://") ? "imap" : "";
  if (scheme.empty()) throw bad(path + ": expected an imap:// or imaps:// URL");
  std::string rest = url.substr(scheme.size() + 3);
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string mailbox = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (authority.empty() || has_control_or_space(authority) || authority.find('@') != std::string::npos)
    throw bad(path + ": expected " + scheme + "://host[:port]/... (the user name goes in username)");
  if (has_control_or_space(mailbox) || mailbox.find_first_of("?#;") != std::string::npos)
    throw bad(path + ": the mailbox must be a plain, URL-encoded folder name such as INBOX");
  while (!mailbox.empty() && mailbox.back() == '/') mailbox.pop_back();
  return scheme + "://" + authority + "/" + (mailbox.empty() ? "INBOX" : mailbox);
}

std::string check_starttls(const Json::Value& block, const std::string& path, const char* fallback) {
  std::string mode = string_at(block, "starttls", path);
  if (mode.empty()) return fallback;
  if (std::find(kStarttlsModes.begin(), kStarttlsModes.end(), mode) == kStarttlsModes.end())
    throw bad(path + "starttls: expected \"required\", \"if_available\" or \"off\"");
  return mode;
}

int int_in(const Json::Value& object, const char* key, const std::string& path, std::int64_t min, std::int64_t max,
           std::int64_t fallback) {
  const Json::Value& v = object[key];
  if (v.isNull()) return static_cast<int>(fallback);
  if (!v.isIntegral() || v.asLargestInt() < min || v.asLargestInt() > max)
    throw bad(path + key + ": expected a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  return static_cast<int>(v.asLargestInt());
}

// A password typed into config (config.<block>_password or
// config.<block>.password) moves to secrets.<block>_password, replacing the
// stored one: that is how an admin changes a password. Left out, the stored
// password stays (a config PATCH need not repeat it).
void move_password(schema::Channel& channel, const char* block) {
  const std::string secret_key = std::string(block) + "_password";
  std::string typed = string_at(channel.config, secret_key.c_str(), "config.");
  channel.config.removeMember(secret_key);
  const Json::Value& config = channel.config;  // const: operator[] must not add keys
  if (config[block].isObject()) {
    std::string nested = string_at(channel.config[block], "password", std::string("config.") + block + ".");
    if (typed.empty()) typed = nested;
    channel.config[block].removeMember("password");
  }
  if (!typed.empty()) channel.secrets[secret_key] = typed;
}

void configure_imap(schema::Channel& channel) {
  Json::Value& imap = channel.config["imap"];
  const std::string path = "config.imap.";
  for (const std::string& key : imap.getMemberNames())
    if (std::find(kImapKeys.begin(), kImapKeys.end(), key) == kImapKeys.end())
      throw bad(path + key + ": unknown key (expected one of url, username, starttls, poll_interval_seconds, "
                             "after_fetch, move_to)");
  const Json::Value& view = imap;  // reads must not add keys
  std::string url = string_at(view, "url", path);
  if (url.empty()) throw bad(path + "url: required, e.g. imaps://mail.example.com/INBOX");
  imap["url"] = check_imap_url(url, path + "url");
  if (string_at(view, "username", path).empty()) throw bad(path + "username: required");
  imap["starttls"] = check_starttls(view, path, "required");
  imap["poll_interval_seconds"] =
      int_in(view, "poll_interval_seconds", path, 1, kMaxPollIntervalSeconds, kDefaultPollIntervalSeconds);
  std::string after = string_at(view, "after_fetch", path);
  if (after.empty()) after = "seen";
  if (after != "seen" && after != "move") throw bad(path + "after_fetch: expected \"seen\" or \"move\"");
  imap["after_fetch"] = after;
  std::string move_to = string_at(view, "move_to", path);
  if (after == "move") {
    if (move_to.empty()) move_to = "Processed";
    if (has_control_or_space(move_to) || move_to.find_first_of("\"\\%*") != std::string::npos)
      throw bad(path + "move_to: a folder name without spaces, quotes, % or *");
    imap["move_to"] = move_to;
  } else if (!move_to.empty()) {
    throw bad(path + "move_to: only with \"after_fetch\": \"move\"");
  }
  if (string_at(channel.secrets, "imap_password", "secrets.").empty())
    throw bad("secrets.imap_password: required with config.imap (send it as config.imap.password; it is moved "
              "to the channel's secrets)");
}

// The SMTP block is read by outbound.h's smtp_settings(); checking it with
// the same function keeps configure() and delivery in agreement.
void configure_smtp(const schema::Channel& channel) {
  const Json::Value& smtp = channel.config["smtp"];
  const Json::Value& url = smtp["url"];
  if (!url.isString() || url.asString().empty()) throw bad("config.smtp.url: required, e.g. smtps://mail.example.com:465");
  try {
    smtp_settings(channel);
  } catch (const AdapterError& e) {
    throw bad(std::string("config.") + e.what());
  }
}

}  // namespace

void configure_email_channel(schema::Channel& channel) {
  if (channel.config.isNull()) channel.config = Json::Value(Json::objectValue);
  if (!channel.config.isObject()) throw bad("config: expected an object");
  if (channel.secrets.isNull()) channel.secrets = Json::Value(Json::objectValue);
  if (!channel.secrets.isObject()) throw bad("secrets: expected an object");
  const Json::Value& config = channel.config;  // const: operator[] must not add keys

  const Json::Value& plus = config["plus_addressing"];
  if (!plus.isNull() && !plus.isBool()) throw bad("config.plus_addressing: expected true or false");
  bool plus_addressing = plus.isNull() || plus.asBool();
  channel.config["plus_addressing"] = plus_addressing;
  check_address(string_at(config, "address", "config."), plus_addressing);
  std::string display = string_at(config, "display_name", "config.");
  if (display.size() > 200 || display.find_first_of("\r\n") != std::string::npos)
    throw bad("config.display_name: at most 200 characters on one line");

  for (const char* block : {"imap", "smtp"}) {
    const Json::Value& b = config[block];
    if (!b.isNull() && !b.isObject()) throw bad(std::string("config.") + block + ": expected an object");
    move_password(channel, block);
  }
  if (config["imap"].isObject()) configure_imap(channel);
  if (config["smtp"].isObject()) configure_smtp(channel);

  channel.config["max_attachment_bytes"] =
      int_in(config, "max_attachment_bytes", "config.", 0, kMaxAttachmentBytesLimit, kDefaultMaxAttachmentBytes);
  channel.config["reopen_window_days"] =
      int_in(config, "reopen_window_days", "config.", 0, kMaxReopenWindowDays, kDefaultReopenWindowDays);

  if (string_at(channel.secrets, "signing_secret", "secrets.").empty())
    channel.secrets["signing_secret"] = crypto::random_token(32);
}

EmailSettings read_email_settings(const schema::Channel& channel) {
  const Json::Value& config = channel.config;
  const Json::Value& secrets = channel.secrets;
  if (!config.isObject() || !secrets.isObject() || !config["address"].isString())
    throw bad("email channel " + std::to_string(channel.id) + " is not configured (save its config)");
  EmailSettings s;
  s.address = config["address"].asString();
  s.display_name = config.get("display_name", "").asString();
  s.plus_addressing = config.get("plus_addressing", true).asBool();
  s.max_attachment_bytes = static_cast<std::size_t>(
      config.get("max_attachment_bytes", static_cast<Json::UInt64>(kDefaultMaxAttachmentBytes)).asUInt64());
  s.reopen_window = std::chrono::days(config.get("reopen_window_days", kDefaultReopenWindowDays).asInt());
  s.signing_secret = secrets.get("signing_secret", "").asString();
  const Json::Value& imap = config["imap"];
  if (imap.isObject()) {
    ImapSettings i;
    i.url = imap["url"].asString();
    i.username = imap["username"].asString();
    i.password = secrets.get("imap_password", "").asString();
    i.starttls = imap.get("starttls", "required").asString();
    i.poll_interval = std::chrono::seconds(imap.get("poll_interval_seconds", kDefaultPollIntervalSeconds).asInt());
    i.after_fetch = imap.get("after_fetch", "seen").asString() == "move" ? AfterFetch::move : AfterFetch::seen;
    i.move_to = imap.get("move_to", "Processed").asString();
    s.imap = std::move(i);
  }
  return s;
}

}  // namespace omnigate::adapters::email
