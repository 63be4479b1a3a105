// deliver_email against a real SMTP server (aiosmtpd on loopback): what
// arrives, and how each kind of server answer becomes a delivery outcome.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "adapters/email/mime_parser.h"
#include "adapters/email/normalize.h"
#include "adapters/email/outbound.h"
#include "adapters/email/thread_ids.h"
#include "tests/support/smtp_server.h"

namespace omnigate::adapters::email {
namespace {

using testing::SmtpServer;

const std::string kReplyText = "李先生您好，\n\n您的快递已经发出，单号 SF1234567890。\n祝好！";

schema::Channel channel(const std::string& smtp_url, const std::string& starttls = "off") {
  schema::Channel c;
  c.id = 5;
  c.type = schema::ChannelType::email;
  c.config["address"] = "support@shop.example";
  c.config["display_name"] = "小店客服";
  c.config["smtp"]["url"] = smtp_url;
  c.config["smtp"]["starttls"] = starttls;
  c.secrets["signing_secret"] = "integration-signing-secret";
  return c;
}

// The customer's mail as the inbound side stores it (parser + normalize).
schema::Message customer_mail() {
  std::string raw =
      "From: =?UTF-8?B?5p2O6Zu3?= <li.lei@mail.example>\r\n"
      "To: support@shop.example\r\n"
      "Subject: =?UTF-8?B?5oiR55qE5b+r6YCS5Yiw5ZOq5LqG77yf?=\r\n"  // 我的快递到哪了？
      "Message-ID: <CAF-first.42@mail.example>\r\n"
      "Date: Mon, 23 Nov 2026 08:00:00 +0800\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "\r\n"
      "三天了还没发货。\r\n";
  schema::Message m = normalize(parse_email(raw), 5);
  m.id = 100;
  m.conversation_id = 7;
  return m;
}

Outbound reply(std::int64_t id = 101, const std::string& to = "li.lei@mail.example") {
  Outbound o;
  o.message.id = id;
  o.message.conversation_id = 7;
  o.message.channel_id = 5;
  o.message.direction = schema::Direction::out;
  o.message.created_at = schema::now();
  o.message.parts.push_back(schema::Part{});
  o.message.parts.back().text = kReplyText;
  o.recipient_id = to;
  o.recipient_name = "李雷";
  o.thread = {customer_mail()};
  return o;
}

TEST(EmailSmtp, TheReplyArrivesThreadedWithAReadableUtf8Body) {
  SmtpServer server;
  Delivery d = deliver_email(channel(server.url()), reply());
  ASSERT_EQ(d.outcome, Delivery::Outcome::sent) << d.error;
  EXPECT_EQ(d.external_id, our_message_id(channel(server.url()), 101));

  ASSERT_TRUE(server.wait_for(1));
  testing::ReceivedMail got = server.received().at(0);
  EXPECT_EQ(got.mail_from, "support@shop.example");
  EXPECT_EQ(got.recipients, std::vector<std::string>{"li.lei@mail.example"});

  ParsedEmail mail = parse_email(got.data);
  EXPECT_TRUE(mail.problems.empty());
  EXPECT_EQ(mail.message_id, d.external_id);
  EXPECT_EQ(mail.in_reply_to, "CAF-first.42@mail.example");
  EXPECT_EQ(mail.references, std::vector<std::string>{"CAF-first.42@mail.example"});
  EXPECT_EQ(mail.subject, "Re: 我的快递到哪了？");
  ASSERT_EQ(mail.from.size(), 1u);
  EXPECT_EQ(mail.from[0], (Mailbox{"小店客服", "support@shop.example"}));
  ASSERT_EQ(mail.to.size(), 1u);
  EXPECT_EQ(mail.to[0], (Mailbox{"李雷", "li.lei@mail.example"}));
  ASSERT_EQ(mail.reply_to.size(), 1u);
  EXPECT_EQ(conversation_from_address(channel(server.url()), mail.reply_to[0].address), 7);
  EXPECT_EQ(mail.text, kReplyText);
  EXPECT_NE(mail.html.find("单号 SF1234567890。<br>"), std::string::npos);
  EXPECT_FALSE(mail.is_auto_reply);
  EXPECT_EQ(got.data.find("Auto-Submitted"), std::string::npos);
}

TEST(EmailSmtp, ARetryRepeatsTheMessageId) {
  SmtpServer server;
  Outbound first = reply(), again = reply();
  again.attempt = 2;
  again.message.created_at = first.message.created_at;
  ASSERT_EQ(deliver_email(channel(server.url()), first).outcome, Delivery::Outcome::sent);
  ASSERT_EQ(deliver_email(channel(server.url()), again).outcome, Delivery::Outcome::sent);
  ASSERT_TRUE(server.wait_for(2));
  auto mails = server.received();
  EXPECT_EQ(parse_email(mails[0].data).message_id, parse_email(mails[1].data).message_id);
}

TEST(EmailSmtp, AttachmentsArriveWithTheirBytes) {
  struct OneFile : AttachmentSource {
    std::optional<std::string> bytes_of(const schema::Part& p) const override {
      if (p.media_id == "blob-1") return std::string("%PDF-1.7\0\xff binary", 17);
      return std::nullopt;
    }
  } source;
  SmtpServer server;
  Outbound o = reply();
  schema::Part file;
  file.type = schema::PartType::file;
  file.name = "发票.pdf";
  file.mime_type = "application/pdf";
  file.media_id = "blob-1";
  o.message.parts.push_back(file);
  ASSERT_EQ(deliver_email(channel(server.url()), o, &source).outcome, Delivery::Outcome::sent);
  ASSERT_TRUE(server.wait_for(1));
  ParsedEmail mail = parse_email(server.received()[0].data);
  EXPECT_EQ(mail.text, kReplyText);
  ASSERT_EQ(mail.attachments.size(), 1u);
  EXPECT_EQ(mail.attachments[0].filename, "发票.pdf");
  EXPECT_EQ(mail.attachments[0].bytes, std::string("%PDF-1.7\0\xff binary", 17));
}

TEST(EmailSmtp, A4xxRecipientAnswerIsRetried) {
  SmtpServer server;
  server.answer_recipient("li.lei@mail.example", 450, "4.2.1 Mailbox busy, try later");
  Delivery d = deliver_email(channel(server.url()), reply());
  EXPECT_EQ(d.outcome, Delivery::Outcome::retry);
  EXPECT_NE(d.error.find("450 4.2.1 Mailbox busy, try later"), std::string::npos) << d.error;
  EXPECT_NE(d.error.find("RCPT TO"), std::string::npos) << d.error;
  EXPECT_TRUE(server.received().empty());

  server.clear_answers();  // the mailbox recovered: the retry goes through
  EXPECT_EQ(deliver_email(channel(server.url()), reply()).outcome, Delivery::Outcome::sent);
  EXPECT_TRUE(server.wait_for(1));
}

TEST(EmailSmtp, A5xxRecipientAnswerFailsWithTheServersText) {
  SmtpServer server;
  server.answer_recipient("nobody@mail.example", 550, "5.1.1 <nobody@mail.example>: no such user");
  Delivery d = deliver_email(channel(server.url()), reply(101, "nobody@mail.example"));
  EXPECT_EQ(d.outcome, Delivery::Outcome::failed);
  EXPECT_NE(d.error.find("550 5.1.1 <nobody@mail.example>: no such user"), std::string::npos) << d.error;
  EXPECT_TRUE(server.received().empty());
}

TEST(EmailSmtp, AnswersAtTheEndOfDataAreClassifiedToo) {
  SmtpServer server;
  server.answer_data(554, "5.6.0 Message content rejected");
  Delivery rejected = deliver_email(channel(server.url()), reply());
  EXPECT_EQ(rejected.outcome, Delivery::Outcome::failed);
  EXPECT_NE(rejected.error.find("554 5.6.0 Message content rejected"), std::string::npos) << rejected.error;
  EXPECT_NE(rejected.error.find("end of DATA"), std::string::npos) << rejected.error;

  server.answer_data(451, "4.3.0 Temporary local problem");
  Delivery later = deliver_email(channel(server.url()), reply());
  EXPECT_EQ(later.outcome, Delivery::Outcome::retry);
  EXPECT_NE(later.error.find("451 4.3.0"), std::string::npos) << later.error;
  EXPECT_TRUE(server.received().empty());
}

TEST(EmailSmtp, AServerThatIsDownMeansRetry) {
  SmtpServer server;
  std::string url = server.url();
  server.stop();
  Delivery d = deliver_email(channel(url), reply());
  EXPECT_EQ(d.outcome, Delivery::Outcome::retry);
  EXPECT_NE(d.error.find("SMTP:"), std::string::npos) << d.error;
}

TEST(EmailSmtp, AuthIsUsedAndAWrongPasswordFails) {
  SmtpServer server({"helpdesk", "correct horse"});
  schema::Channel c = channel(server.url());
  c.config["smtp"]["username"] = "helpdesk";
  c.secrets["smtp_password"] = "correct horse";
  Delivery ok = deliver_email(c, reply());
  ASSERT_EQ(ok.outcome, Delivery::Outcome::sent) << ok.error;
  EXPECT_TRUE(server.wait_for(1));

  c.secrets["smtp_password"] = "wrong";
  Delivery denied = deliver_email(c, reply());
  EXPECT_EQ(denied.outcome, Delivery::Outcome::failed);
  EXPECT_NE(denied.error.find("535"), std::string::npos) << denied.error;
  EXPECT_NE(denied.error.find("(at AUTH)"), std::string::npos) << denied.error;
  // Neither the password nor the base64 AUTH PLAIN/LOGIN lines carrying it.
  for (const char* secret : {"wrong", "d3Jvbmc", "AGhlbHBkZXNrAHdyb25n", "AGHLBHBKZXNRAHDYB25N"})
    EXPECT_EQ(denied.error.find(secret), std::string::npos) << denied.error;

  // Without AUTH the server refuses MAIL FROM (530): not a retry either.
  schema::Channel anonymous = channel(server.url());
  Delivery refused = deliver_email(anonymous, reply());
  EXPECT_EQ(refused.outcome, Delivery::Outcome::failed);
  EXPECT_NE(refused.error.find("530"), std::string::npos) << refused.error;
}

// check_smtp_login: the "test connection" session, up to AUTH and a NOOP.
TEST(EmailSmtp, LoginCheckAuthenticatesSendsNoMailAndNamesAWrongPassword) {
  SmtpServer server({"helpdesk", "correct horse"});
  schema::Channel c = channel(server.url());
  c.config["smtp"]["username"] = "helpdesk";
  c.secrets["smtp_password"] = "correct horse";
  SmtpLoginCheck ok = check_smtp_login(smtp_settings(c));
  EXPECT_EQ(ok.result.outcome, SmtpResult::Outcome::sent) << ok.result.error;
  EXPECT_EQ(ok.greeting.rfind("220", 0), 0u) << ok.greeting;
  EXPECT_FALSE(ok.tls);

  c.secrets["smtp_password"] = "wrong";
  SmtpLoginCheck denied = check_smtp_login(smtp_settings(c));
  EXPECT_EQ(denied.result.outcome, SmtpResult::Outcome::permanent);
  EXPECT_NE(denied.result.error.find("535"), std::string::npos) << denied.result.error;
  EXPECT_NE(denied.result.error.find("(at AUTH)"), std::string::npos) << denied.result.error;
  for (const char* secret : {"wrong", "d3Jvbmc", "AGhlbHBkZXNrAHdyb25n"})
    EXPECT_EQ(denied.result.error.find(secret), std::string::npos) << denied.result.error;

  // Sessions that stop before MAIL FROM leave nothing behind.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(server.received().empty());
}

TEST(EmailSmtp, LoginCheckWithStartTlsRequiredOnAServerWithoutItFails) {
  SmtpServer server;  // offers no STARTTLS
  SmtpLoginCheck required = check_smtp_login(smtp_settings(channel(server.url(), "required")));
  EXPECT_EQ(required.result.outcome, SmtpResult::Outcome::permanent) << required.result.error;
  SmtpLoginCheck relaxed = check_smtp_login(smtp_settings(channel(server.url(), "if_available")));
  EXPECT_EQ(relaxed.result.outcome, SmtpResult::Outcome::sent) << relaxed.result.error;
  EXPECT_FALSE(relaxed.tls);
}

TEST(EmailSmtp, StartTlsRequiredButNotOfferedFailsIfAvailableSends) {
  SmtpServer server;  // offers no STARTTLS
  Delivery required = deliver_email(channel(server.url(), "required"), reply());
  EXPECT_EQ(required.outcome, Delivery::Outcome::failed);
  EXPECT_NE(required.error.find("SMTP:"), std::string::npos) << required.error;
  EXPECT_TRUE(server.received().empty());

  Delivery relaxed = deliver_email(channel(server.url(), "if_available"), reply());
  EXPECT_EQ(relaxed.outcome, Delivery::Outcome::sent) << relaxed.error;
}

TEST(EmailSmtp, ASilentServerTimesOutAsARetry) {
  // A socket that accepts connections (the kernel's backlog) but never greets.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);

  SmtpSettings s;
  s.url = "smtp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/shop.example";
  s.starttls = StartTls::off;
  s.total_timeout = std::chrono::milliseconds(1500);
  auto started = std::chrono::steady_clock::now();
  SmtpResult r = send_mail(s, {"support@shop.example", {"li.lei@mail.example"}}, "Subject: x\r\n\r\nx\r\n");
  auto took = std::chrono::steady_clock::now() - started;
  close(fd);
  EXPECT_EQ(r.outcome, SmtpResult::Outcome::temporary);
  EXPECT_NE(r.error.find("imed out"), std::string::npos) << r.error;
  EXPECT_LT(took, std::chrono::seconds(5));
}

}  // namespace
}  // namespace omnigate::adapters::email
