#pragma once
// A gateway with one email channel wired to a real dovecot (IMAP, inbound)
// and a real aiosmtpd (SMTP, outbound) on loopback, and the helpers the
// email integration tests share: mails as customers write them, a poll on
// demand, and what the database holds afterwards.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "adapters/common/body_signature.h"
#include "adapters/email/mime_parser.h"
#include "gateway/db/pg.h"
#include "schema/json.h"
#include "tests/support/imap_server.h"
#include "tests/support/smtp_server.h"
#include "tests/support/test_gateway.h"

namespace omnigate::testing {

inline constexpr const char* kSupport = "support@shop.example";
inline constexpr const char* kCustomer = "li.lei@mail.example";

// A mail as a customer's client writes it; subject and body are UTF-8
// (the subject goes out as an RFC 2047 word, the body as 8bit).
struct Mail {
  std::string from = std::string("Li Lei <") + kCustomer + ">";
  std::string to = kSupport;
  std::string cc;
  std::string subject = "订单 42 没收到";
  std::string message_id;
  std::string in_reply_to;
  std::string references;
  std::string body = "你好，我的订单 42 还没收到。";
  std::string extra_headers;  // whole lines with CRLF

  std::string raw() const;
};

struct ConversationRow {
  std::int64_t id = 0;
  std::string status;
  std::string contact;  // the contact's address on the channel
  std::string thread_key;
};

struct MessageRow {
  std::int64_t id = 0;
  std::int64_t conversation_id = 0;
  std::string direction;
  std::string sender_type;
  std::string external_id;
  std::string text;
  Json::Value metadata;
  Json::Value parts;
};

class EmailFixture {
 public:
  // `config` is merged over the channel's defaults (imap and smtp pointing
  // at the test servers, poll interval an hour: tests poll on demand).
  explicit EmailFixture(const Json::Value& config = Json::Value());

  // Deliver to the IMAP inbox, then poll now through the admin API.
  void deliver(const Mail& mail) { imap.deliver(mail.raw()); }
  // The report of POST /v1/admin/channels/{id}/poll; poll() also expects
  // that the poll ran and finished.
  Json::Value poll_report();
  Json::Value poll();
  // POST the raw mail to the channel's relay URL, signed with `secret`
  // (the channel's signing secret when empty).
  httplib::Result relay(const std::string& raw, const std::string& secret = "");
  // Stops the gateway and starts a new one on the same database (another
  // process, as far as the poller's state goes).
  void restart_gateway();

  std::vector<ConversationRow> conversations();
  std::vector<MessageRow> messages(std::int64_t conversation_id = 0);  // 0: all on the channel
  std::int64_t channel_id() const { return channel["id"].asInt64(); }
  std::string admin_auth() const { return "Bearer " + admin_token; }

  ImapServer imap;
  SmtpServer smtp;
  std::unique_ptr<TestGateway> gateway;
  Json::Value channel;
  std::string admin_token;
};

}  // namespace omnigate::testing
