#pragma once
// A real IMAP server for tests: Debian's dovecot-imapd with a private config
// in a temp directory (removed afterwards), listening on 127.0.0.1 and a free
// port, plain text and no TLS, one user with a plain password and a maildir.
// Run as the current user; as root, dovecot's own rules apply (its login
// processes run as dovenull, the mail user as nobody).
//
// Mail is appended by writing into the maildir (tmp/ then new/, as a
// delivery agent does); dovecot gives it the next UID when a client looks.
// Tests read what the poller did to a mail from the maildir itself: the
// folder it sits in and its flags.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace omnigate::testing {

class ImapServer {
 public:
  // Returns once the server greets clients; throws std::runtime_error when
  // it does not start within 20 s (the log's tail in the message).
  ImapServer();
  ~ImapServer();
  ImapServer(const ImapServer&) = delete;
  ImapServer& operator=(const ImapServer&) = delete;

  int port() const { return port_; }
  const std::string& username() const { return username_; }
  const std::string& password() const { return password_; }
  // "imap://127.0.0.1:PORT/INBOX"
  std::string url(const std::string& mailbox = "INBOX") const;

  // Delivers a raw mail (any line ends) to the inbox, unseen.
  void deliver(const std::string& raw);

  struct StoredMail {
    std::string data;
    std::string flags;  // maildir flags, e.g. "S" for \Seen
  };
  // The mails in a folder ("INBOX" or a subfolder such as "Processed"),
  // oldest delivery first.
  std::vector<StoredMail> mails(const std::string& folder = "INBOX") const;

  // Makes dovecot forget the inbox's UIDs (stopping it, deleting its UID
  // list and indexes, starting it again), so the inbox gets a new
  // UIDVALIDITY, as after a server migration.
  void renumber_inbox();

  void start();
  void stop();

 private:
  std::filesystem::path folder_path(const std::string& folder) const;
  void own(const std::filesystem::path& p) const;

  std::filesystem::path dir_;
  std::filesystem::path maildir_;
  std::string username_ = "support";
  std::string password_ = "imap-test-password";
  unsigned mail_uid_ = 0, mail_gid_ = 0;
  int port_ = 0;
  int delivered_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace omnigate::testing
