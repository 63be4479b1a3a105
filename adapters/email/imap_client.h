#pragma once
// One IMAP session over libcurl (imap:// with STARTTLS as configured, or
// imaps://), for the poller: read the mailbox's UIDVALIDITY, list the UIDs
// past a cursor, fetch one raw mail, then flag it \Seen or move it away.
// libcurl logs in, keeps the connection between calls on one client, and
// SELECTs the mailbox when a call needs it.
//
// libcurl's FETCH asks for BODY[] (it has no BODY.PEEK[]), so the server
// flags a mail \Seen when it is fetched, not only after it is stored. The
// poller does not depend on the flag: its cursor (UIDVALIDITY + last UID,
// saved after the mail is durable) decides what is new, so a mail that
// failed to store is fetched again however it is flagged.
//
// Blocking; connect within 10 s and every command within 60 s. One client
// per thread.
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/email/settings.h"

namespace omnigate::adapters::email {

// The server could not be reached or refused a command; what() says which
// and never holds the password.
class ImapError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MailboxState {
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 0;  // 0 when the server did not say
};

class ImapClient {
 public:
  explicit ImapClient(ImapSettings settings);
  ~ImapClient();
  ImapClient(const ImapClient&) = delete;
  ImapClient& operator=(const ImapClient&) = delete;

  // EXAMINE (read-only): the mailbox's UIDVALIDITY and UIDNEXT.
  MailboxState examine();
  // The UIDs from `first` on, ascending (UID SEARCH UID first:*, without
  // the highest UID the server adds when none reaches `first`).
  std::vector<std::uint32_t> uids_from(std::uint32_t first);
  // The raw mail with this UID, or nullopt when the mailbox has no such UID
  // under this UIDVALIDITY (expunged meanwhile, or the mailbox was
  // recreated: examine() tells which).
  std::optional<std::string> fetch(std::uint32_t uidvalidity, std::uint32_t uid);
  // UID STORE +FLAGS.SILENT (\Seen).
  void mark_seen(std::uint32_t uid);
  // UID MOVE to `folder`, creating the folder once if the server asks; on a
  // server without MOVE, UID COPY + \Deleted + UID EXPUNGE.
  void move(std::uint32_t uid, const std::string& folder);

  // The mailbox name from the URL, decoded ("INBOX").
  const std::string& mailbox() const { return mailbox_; }

 private:
  // Runs one request against `url` (the server root or the mailbox URL),
  // optionally a raw command; returns what libcurl delivers (the untagged
  // answers of a command, the mail of a FETCH). Throws ImapError, except that
  // `missing` (when given) is set instead for "no such message/mailbox".
  std::string perform(const std::string& url, const std::string& command, bool* missing = nullptr);

  ImapSettings settings_;
  std::string root_url_;     // scheme://host[:port]/
  std::string mailbox_url_;  // root + URL-encoded mailbox
  std::string mailbox_;
  void* curl_ = nullptr;  // CURL*
};

// IMAP quoted string for a mailbox name in a raw command: "..." with \ and "
// escaped, and % doubled up for libcurl (it URL-decodes raw commands).
std::string imap_quoted(const std::string& name);

}  // namespace omnigate::adapters::email
