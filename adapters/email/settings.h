#pragma once
// An email channel's settings: what configure() checks and fills in, and what
// the adapter, the IMAP poller and threading read back.
//
// config: {
//   "address": "support@example.com",       required: our From and the mailbox address
//   "display_name": "Example Support",       optional
//   "plus_addressing": true,                 Reply-To support+<conversation token>@domain
//   "imap": {"url": "imap://host:143/INBOX" | "imaps://host/INBOX", "username": "...",
//            "starttls": "required" | "if_available" | "off",   (imap:// only; default required)
//            "poll_interval_seconds": 30, "after_fetch": "seen" | "move", "move_to": "Processed"},
//            optional: without it the channel takes mail from relays only
//   "smtp": {"url": "smtp://host:587" | "smtps://host:465", "username": "...",
//            "starttls": "required" | "if_available" | "off"},   checked by outbound.h's smtp_settings()
//   "max_attachment_bytes": 10485760,
//   "reopen_window_days": 30
// }
// secrets: {"imap_password", "smtp_password", "signing_secret"}; passwords an
// admin typed into config (config.imap_password or config.imap.password, the
// same for smtp) move to secrets, and signing_secret is generated when absent.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "schema/channel.h"

namespace omnigate::adapters::email {

inline constexpr std::size_t kDefaultMaxAttachmentBytes = 10u << 20;
inline constexpr int kDefaultReopenWindowDays = 30;
inline constexpr int kDefaultPollIntervalSeconds = 30;

enum class AfterFetch { seen, move };

struct ImapSettings {
  std::string url;  // scheme://host[:port]/mailbox
  std::string username;
  std::string password;
  std::string starttls;  // "required" | "if_available" | "off"
  std::chrono::seconds poll_interval{kDefaultPollIntervalSeconds};
  AfterFetch after_fetch = AfterFetch::seen;
  std::string move_to;  // the folder for AfterFetch::move
};

struct EmailSettings {
  std::string address;
  std::string display_name;
  bool plus_addressing = true;
  std::optional<ImapSettings> imap;
  std::size_t max_attachment_bytes = kDefaultMaxAttachmentBytes;
  std::chrono::days reopen_window{kDefaultReopenWindowDays};
  std::string signing_secret;
};

// Validates config and secrets, moves passwords out of config, fills in
// defaults and the signing secret. Throws AdapterError::invalid_config.
void configure_email_channel(schema::Channel& channel);

// The settings of a configured channel. Throws AdapterError::invalid_config
// when the channel was never configured (a hand-edited row).
EmailSettings read_email_settings(const schema::Channel& channel);

}  // namespace omnigate::adapters::email
