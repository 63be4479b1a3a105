// The email channel's configure(): what it refuses, what it fills in, where
// passwords go; and the relay path's signature check.
#include "adapters/email/settings.h"

#include <gtest/gtest.h>

#include "adapters/common/body_signature.h"
#include "adapters/email/email_adapter.h"
#include "adapters/email/imap_client.h"
#include "schema/json.h"

using namespace omnigate;
using adapters::email::EmailAdapter;

namespace {

schema::Channel channel(const std::string& config_json) {
  schema::Channel c;
  c.id = 4;
  c.type = schema::ChannelType::email;
  c.config = schema::parse_json(config_json);
  return c;
}

schema::Channel configured(const std::string& config_json) {
  schema::Channel c = channel(config_json);
  EmailAdapter().configure(c);
  return c;
}

void expect_refused(const std::string& config_json, const std::string& mentions) {
  schema::Channel c = channel(config_json);
  try {
    EmailAdapter().configure(c);
    ADD_FAILURE() << "accepted: " << config_json;
  } catch (const adapters::AdapterError& e) {
    EXPECT_EQ(e.code(), "invalid_config");
    EXPECT_NE(std::string(e.what()).find(mentions), std::string::npos) << e.what();
  }
}

TEST(EmailSettings, AnAddressAloneIsARelayOnlyChannelWithDefaults) {
  schema::Channel c = configured(R"({"address":"support@shop.example"})");
  EXPECT_EQ(c.config["plus_addressing"].asBool(), true);
  EXPECT_EQ(c.config["max_attachment_bytes"].asInt(), 10485760);
  EXPECT_EQ(c.config["reopen_window_days"].asInt(), 30);
  EXPECT_FALSE(c.config.isMember("imap"));
  EXPECT_GE(c.secrets["signing_secret"].asString().size(), 32u);

  auto s = adapters::email::read_email_settings(c);
  EXPECT_EQ(s.address, "support@shop.example");
  EXPECT_FALSE(s.imap);
  EXPECT_EQ(s.reopen_window, std::chrono::days(30));
}

TEST(EmailSettings, TheSigningSecretSurvivesAReconfigure) {
  schema::Channel c = configured(R"({"address":"support@shop.example"})");
  std::string secret = c.secrets["signing_secret"].asString();
  c.config["display_name"] = "Shop Support";
  EmailAdapter().configure(c);
  EXPECT_EQ(c.secrets["signing_secret"].asString(), secret);
}

TEST(EmailSettings, AddressesAreChecked) {
  expect_refused(R"({})", "config.address");
  expect_refused(R"({"address":"support"})", "config.address");
  expect_refused(R"({"address":"support@"})", "config.address");
  expect_refused(R"({"address":"Support <support@shop.example>"})", "config.address");
  expect_refused(R"({"address":"a b@shop.example"})", "config.address");
  expect_refused(R"({"address":"support@shop..example"})", "config.address");
  expect_refused(R"({"address":"support+x@shop.example"})", "plus_addressing");
  configured(R"({"address":"support+x@shop.example","plus_addressing":false})");
  expect_refused(R"({"address":"support@shop.example","plus_addressing":"yes"})", "plus_addressing");
  expect_refused(R"({"address":"support@shop.example","display_name":"two\nlines"})", "display_name");
}

TEST(EmailSettings, ImapIsCheckedAndFilledIn) {
  schema::Channel c = configured(
      R"({"address":"support@shop.example",
          "imap":{"url":"imaps://mail.shop.example","username":"support","password":"pw"}})");
  const Json::Value& imap = c.config["imap"];
  EXPECT_EQ(imap["url"].asString(), "imaps://mail.shop.example/INBOX");
  EXPECT_EQ(imap["starttls"].asString(), "required");
  EXPECT_EQ(imap["poll_interval_seconds"].asInt(), 30);
  EXPECT_EQ(imap["after_fetch"].asString(), "seen");
  EXPECT_FALSE(imap.isMember("password"));
  EXPECT_EQ(c.secrets["imap_password"].asString(), "pw");

  auto s = adapters::email::read_email_settings(c);
  ASSERT_TRUE(s.imap);
  EXPECT_EQ(s.imap->password, "pw");
  EXPECT_EQ(s.imap->after_fetch, adapters::email::AfterFetch::seen);
}

TEST(EmailSettings, ATypedPasswordReplacesTheStoredOneAndLeavingItOutKeepsIt) {
  schema::Channel c = configured(
      R"({"address":"support@shop.example",
          "imap":{"url":"imaps://mail.shop.example","username":"support","password":"old"}})");
  c.config["imap"]["password"] = "changed";  // the admin edits the channel
  EmailAdapter().configure(c);
  EXPECT_EQ(c.secrets["imap_password"].asString(), "changed");
  EXPECT_FALSE(c.config["imap"].isMember("password"));
  c.config["display_name"] = "Shop";  // an edit that types no password
  EmailAdapter().configure(c);
  EXPECT_EQ(c.secrets["imap_password"].asString(), "changed");
}

TEST(EmailSettings, MoveGetsAFolder) {
  schema::Channel c = configured(
      R"({"address":"support@shop.example","imap_password":"pw",
          "imap":{"url":"imap://127.0.0.1:1143/Support%20Inbox/","username":"u","after_fetch":"move",
                  "starttls":"off","poll_interval_seconds":5}})");
  EXPECT_EQ(c.config["imap"]["move_to"].asString(), "Processed");
  EXPECT_EQ(c.config["imap"]["url"].asString(), "imap://127.0.0.1:1143/Support%20Inbox");
  EXPECT_FALSE(c.config.isMember("imap_password"));
  EXPECT_EQ(c.secrets["imap_password"].asString(), "pw");
  auto s = adapters::email::read_email_settings(c);
  EXPECT_EQ(s.imap->after_fetch, adapters::email::AfterFetch::move);
  EXPECT_EQ(s.imap->poll_interval, std::chrono::seconds(5));
}

TEST(EmailSettings, ImapMistakesAreNamed) {
  const std::string base = R"({"address":"support@shop.example","imap_password":"pw","imap":)";
  expect_refused(base + R"("imap://x/INBOX"})", "config.imap: expected an object");
  expect_refused(base + R"({"username":"u"}})", "config.imap.url");
  expect_refused(base + R"({"url":"https://x/INBOX","username":"u"}})", "imap:// or imaps://");
  expect_refused(base + R"({"url":"imap://user@x/INBOX","username":"u"}})", "username");
  expect_refused(base + R"({"url":"imap://x/INBOX;UID=1","username":"u"}})", "mailbox");
  expect_refused(base + R"({"url":"imap://x/INBOX"}})", "config.imap.username");
  expect_refused(base + R"({"url":"imap://x","username":"u","starttls":"sometimes"}})", "starttls");
  expect_refused(base + R"({"url":"imap://x","username":"u","poll_interval_seconds":0}})", "poll_interval_seconds");
  expect_refused(base + R"({"url":"imap://x","username":"u","after_fetch":"delete"}})", "after_fetch");
  expect_refused(base + R"({"url":"imap://x","username":"u","move_to":"Done"}})", "move_to");
  expect_refused(base + R"({"url":"imap://x","username":"u","after_fetch":"move","move_to":"A B"}})", "move_to");
  expect_refused(base + R"({"url":"imap://x","username":"u","poll":5}})", "unknown key");
  expect_refused(R"({"address":"support@shop.example","imap":{"url":"imap://x","username":"u"}})",
                 "secrets.imap_password");
}

TEST(EmailSettings, SmtpIsCheckedByTheSenderSettings) {
  schema::Channel c = configured(
      R"({"address":"support@shop.example",
          "smtp":{"url":"smtps://mail.shop.example:465","username":"support","password":"pw"}})");
  EXPECT_FALSE(c.config["smtp"].isMember("password"));
  EXPECT_EQ(c.secrets["smtp_password"].asString(), "pw");
  expect_refused(R"({"address":"support@shop.example","smtp":{}})", "config.smtp.url");
  expect_refused(R"({"address":"support@shop.example","smtp":{"url":"http://x"}})", "smtp");
  expect_refused(R"({"address":"support@shop.example","smtp":{"url":"smtp://x","starttls":"maybe"}})", "starttls");
  expect_refused(R"({"address":"support@shop.example","smtp":{"url":"smtp://x","username":"u"}})",
                 "smtp_password");
}

TEST(EmailSettings, LimitsAreBounded) {
  expect_refused(R"({"address":"support@shop.example","max_attachment_bytes":-1})", "max_attachment_bytes");
  expect_refused(R"({"address":"support@shop.example","max_attachment_bytes":1e12})", "max_attachment_bytes");
  expect_refused(R"({"address":"support@shop.example","reopen_window_days":"30"})", "reopen_window_days");
  schema::Channel c = configured(R"({"address":"support@shop.example","reopen_window_days":0,"max_attachment_bytes":0})");
  EXPECT_EQ(c.config["reopen_window_days"].asInt(), 0);
}

TEST(EmailRelay, TheRawMailMustBeSignedWithTheChannelsSecret) {
  schema::Channel c = configured(R"({"address":"support@shop.example"})");
  adapters::InboundRequest r;
  r.method = "POST";
  r.body = "From: a@mail.example\r\nSubject: hi\r\nMessage-ID: <m1@mail.example>\r\n\r\nhello\r\n";
  EXPECT_THROW(EmailAdapter().ingest(c, r), adapters::AdapterError);  // unsigned
  r.headers.emplace(adapters::kSignatureHeader, adapters::sign_body("wrong", r.body));
  EXPECT_THROW(EmailAdapter().ingest(c, r), adapters::AdapterError);
  r.headers.clear();
  r.headers.emplace(adapters::kSignatureHeader, adapters::sign_body(c.secrets["signing_secret"].asString(), r.body));
  adapters::Ingest in = EmailAdapter().ingest(c, r);
  ASSERT_EQ(in.messages.size(), 1u);
  EXPECT_EQ(in.messages[0].external_id, "m1@mail.example");
  EXPECT_EQ(in.messages[0].channel_id, 4);
  EXPECT_TRUE(in.answer_with_stored_messages);
  r.method = "GET";
  try {
    EmailAdapter().ingest(c, r);
    ADD_FAILURE();
  } catch (const adapters::AdapterError& e) {
    EXPECT_EQ(e.status(), 405);
  }
}

TEST(EmailRelay, AttachmentBytesBecomeBlobsUnlessOverTheLimit) {
  const std::string raw =
      "From: a@mail.example\r\nSubject: files\r\nMessage-ID: <m2@mail.example>\r\n"
      "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
      "--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=small.pdf\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n"
      "--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=big.png\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n" +
      std::string(400, 'A') + "\r\n--b--\r\n";
  schema::Channel c = configured(R"({"address":"support@shop.example","max_attachment_bytes":100})");
  adapters::Ingest in = adapters::email::read_mail(c, raw);
  ASSERT_EQ(in.blobs.size(), 1u);
  EXPECT_EQ(in.blobs[0].filename, "small.pdf");
  EXPECT_EQ(in.blobs[0].bytes, "%PDF-1.4\n");
  const auto& parts = in.messages.at(0).parts;
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].extra["sha256"].asString(), in.blobs[0].sha256);
  EXPECT_TRUE(parts[2].extra["bytes_dropped"].asBool());
  EXPECT_EQ(parts[2].size, 300);
}

TEST(ImapClient, MailboxNamesAreQuotedForARawCommand) {
  EXPECT_EQ(adapters::email::imap_quoted("INBOX"), "\"INBOX\"");
  EXPECT_EQ(adapters::email::imap_quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(adapters::email::imap_quoted("100%"), "\"100%25\"");
}

}  // namespace
