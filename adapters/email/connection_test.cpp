#include "adapters/email/connection_test.h"

#include <chrono>
#include <string>

#include "adapters/common/connection_check.h"
#include "adapters/email/imap_client.h"
#include "adapters/email/outbound.h"
#include "adapters/email/settings.h"

namespace omnigate::adapters::email {
namespace {

// An admin waits for the answer: a server that greets but then stalls is
// reported after this, not after the outbox's minute.
constexpr std::chrono::seconds kSmtpCheckTimeout{20};

CheckOutcome check_imap(const ImapSettings& settings) {
  ImapClient client(settings);
  MailboxState state = client.examine();
  std::string detail = "logged in as " + settings.username + "; mailbox " + client.mailbox() + " (UIDVALIDITY " +
                       std::to_string(state.uidvalidity);
  if (state.uidnext) detail += ", next UID " + std::to_string(state.uidnext);
  return {true, detail + ")"};
}

CheckOutcome check_smtp(const schema::Channel& channel) {
  SmtpSettings settings = smtp_settings(channel);
  settings.total_timeout = kSmtpCheckTimeout;
  SmtpLoginCheck check = check_smtp_login(settings);
  if (check.result.outcome != SmtpResult::Outcome::sent) return {false, check.result.error};
  std::string detail = settings.username.empty() ? "connected without login" : "logged in as " + settings.username;
  detail += check.tls ? " over TLS" : " without TLS";
  if (!check.greeting.empty()) detail += "; server: " + check.greeting;
  return {true, detail};
}

}  // namespace

std::vector<ConnectionCheck> test_email_connection(const schema::Channel& channel) {
  std::vector<ConnectionCheck> checks;
  EmailSettings settings = read_email_settings(channel);
  if (settings.imap) checks.push_back(run_check("imap", [&] { return check_imap(*settings.imap); }));
  checks.push_back(run_check("smtp", [&] { return check_smtp(channel); }));
  return checks;
}

}  // namespace omnigate::adapters::email
