#pragma once
// A real SMTP server for tests: Debian's aiosmtpd (tests/support/
// smtp_server.py run by /usr/bin/python3; the python3 on PATH may be another
// interpreter without it) on 127.0.0.1 and a free port, in a private temp
// directory that is removed afterwards. Every mail it accepts is kept with
// its envelope; a test can make it answer a given recipient (at RCPT TO) or
// every DATA with a 4xx/5xx reply, require AUTH, or stop it to see a
// connection fail.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <json/value.h>

#include "tests/support/child_process.h"

namespace omnigate::testing {

struct ReceivedMail {
  std::string mail_from;
  std::vector<std::string> recipients;
  std::string data;  // the DATA bytes as received (CRLF, dot-unstuffed)
};

class SmtpServer {
 public:
  struct Options {
    // AUTH required before MAIL FROM when both are set.
    std::string username;
    std::string password;
  };

  SmtpServer() : SmtpServer(Options{}) {}
  // Returns once the server accepts connections; throws std::runtime_error
  // when it does not start within 20 s (the log's tail in the message).
  explicit SmtpServer(Options options);
  ~SmtpServer();
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  int port() const { return port_; }
  std::string url() const;  // "smtp://127.0.0.1:PORT"

  // From now on RCPT TO:<address> is answered "code text" (e.g. 450,
  // "4.2.1 Mailbox busy") instead of accepted; case-insensitive.
  void answer_recipient(const std::string& address, int code, const std::string& text);
  // From now on the end of DATA is answered "code text".
  void answer_data(int code, const std::string& text);
  // Accept everything again.
  void clear_answers();

  // The mails accepted so far, oldest first.
  std::vector<ReceivedMail> received() const;
  // Waits until at least n mails were accepted; false on timeout.
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  // Stops the server; its port then refuses connections.
  void stop();

 private:
  void write_rules();

  std::filesystem::path dir_;
  std::filesystem::path mail_dir_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
  Json::Value rules_;
};

}  // namespace omnigate::testing
