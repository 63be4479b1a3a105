#pragma once
// Hands one mail to an SMTP server with libcurl: smtp:// (with STARTTLS as
// configured) or smtps:// (TLS from the first byte), AUTH when a username is
// set, MAIL FROM, RCPT TO, DATA. The answer is classified for the outbox:
//  - sent: the server accepted the mail (250 after DATA);
//  - temporary: a 4xx reply, or no usable answer at all (refused or dropped
//    connection, timeout, name lookup): worth retrying later;
//  - permanent: a 5xx reply, or a configuration problem a retry cannot cure
//    (STARTTLS required but not offered, a certificate that does not verify,
//    a malformed URL).
// `error` carries what the server said ("550 5.1.1 <x@example.com>: Recipient
// address rejected") and at which step, for the agent to read. Credentials
// never appear in it or in any log. Blocking, at most connect_timeout to
// connect and total_timeout in all; thread-safe.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::adapters::email {

enum class StartTls { required, if_available, off };
// "required" | "if_available" | "off"; nullopt for anything else.
std::optional<StartTls> starttls_from_string(std::string_view s);

struct SmtpSettings {
  std::string url;       // smtp://host[:port][/ehlo-domain] or smtps://...
  std::string username;  // AUTH (libcurl picks the best mechanism offered) when not empty
  std::string password;
  StartTls starttls = StartTls::required;  // smtp:// only; smtps:// is always TLS
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};
};

struct SmtpEnvelope {
  std::string mail_from;                // bare address, no <>
  std::vector<std::string> recipients;  // bare addresses
};

struct SmtpResult {
  enum class Outcome { sent, temporary, permanent };
  Outcome outcome = Outcome::sent;
  long reply_code = 0;  // the server's last reply code; 0 when it never answered
  std::string error;    // "" when sent
};

// An address safe to put in MAIL FROM / RCPT TO: local@domain without
// spaces, control characters, <> or a second line.
bool is_envelope_address(std::string_view address);

// `data` is the whole mail with CRLF line ends (mime_builder's output);
// libcurl dot-stuffs it.
SmtpResult send_mail(const SmtpSettings& settings, const SmtpEnvelope& envelope, std::string_view data);

// What check_smtp_login found. result.outcome is `sent` when every step was
// accepted; otherwise result.error says which step failed and how, exactly
// as send_mail would have reported it.
struct SmtpLoginCheck {
  SmtpResult result;
  std::string greeting;  // the server's first reply, "" when it never greeted
  bool tls = false;      // smtps://, or STARTTLS was said
};

// The admin's "test connection": the session send_mail would open (greeting,
// EHLO, STARTTLS as configured, AUTH when a username is set), then NOOP and
// QUIT. No mail is sent.
SmtpLoginCheck check_smtp_login(const SmtpSettings& settings);

}  // namespace omnigate::adapters::email
