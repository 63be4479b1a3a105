#include <gtest/gtest.h>

#include "adapters/email/outbound.h"
#include "adapters/email/smtp_sender.h"

namespace omnigate::adapters::email {
namespace {

schema::Channel channel(const Json::Value& smtp) {
  schema::Channel c;
  c.type = schema::ChannelType::email;
  c.config["address"] = "support@example.com";
  c.config["smtp"] = smtp;
  c.secrets["smtp_password"] = "pw";
  c.secrets["signing_secret"] = "k";
  return c;
}

Json::Value smtp(const std::string& url) {
  Json::Value s;
  s["url"] = url;
  return s;
}

std::string config_error(const schema::Channel& c) {
  try {
    smtp_settings(c);
  } catch (const AdapterError& e) {
    EXPECT_EQ(e.code(), "invalid_config");
    return e.what();
  }
  return "";
}

TEST(SmtpSettings, DefaultsToRequiredStartTlsAndGreetsWithOurDomain) {
  SmtpSettings s = smtp_settings(channel(smtp("smtp://mail.example.com:587")));
  EXPECT_EQ(s.url, "smtp://mail.example.com:587/example.com");
  EXPECT_EQ(s.starttls, StartTls::required);
  EXPECT_EQ(s.username, "");
  EXPECT_EQ(s.connect_timeout, std::chrono::seconds(10));
  EXPECT_EQ(s.total_timeout, std::chrono::seconds(60));
  EXPECT_EQ(smtp_settings(channel(smtp("smtps://mail.example.com/"))).url, "smtps://mail.example.com/example.com");
  EXPECT_EQ(smtp_settings(channel(smtp("smtp://mail.example.com/helo.example.org"))).url,
            "smtp://mail.example.com/helo.example.org");
}

TEST(SmtpSettings, ReadsStartTlsAndCredentials) {
  Json::Value s = smtp("smtp://127.0.0.1:2525");
  s["starttls"] = "off";
  s["username"] = "bot";
  SmtpSettings got = smtp_settings(channel(s));
  EXPECT_EQ(got.starttls, StartTls::off);
  EXPECT_EQ(got.username, "bot");
  EXPECT_EQ(got.password, "pw");
  s["starttls"] = "if_available";
  EXPECT_EQ(smtp_settings(channel(s)).starttls, StartTls::if_available);
}

TEST(SmtpSettings, BadSettingsAreNamed) {
  schema::Channel none = channel(Json::Value());
  EXPECT_NE(config_error(none).find("no SMTP settings"), std::string::npos);
  EXPECT_NE(config_error(channel(smtp("http://mail.example.com"))).find("smtp.url"), std::string::npos);
  EXPECT_NE(config_error(channel(smtp("smtp:///x"))).find("no host"), std::string::npos);
  Json::Value tls = smtp("smtp://h");
  tls["starttls"] = "sometimes";
  EXPECT_NE(config_error(channel(tls)).find("smtp.starttls"), std::string::npos);
  Json::Value user = smtp("smtp://h");
  user["username"] = "bot";
  schema::Channel no_password = channel(user);
  no_password.secrets.removeMember("smtp_password");
  EXPECT_NE(config_error(no_password).find("smtp_password"), std::string::npos);
}

TEST(SmtpSender, OnlyPlainAddressesEnterTheEnvelope) {
  EXPECT_TRUE(is_envelope_address("li.lei@example.net"));
  EXPECT_TRUE(is_envelope_address("support+12-abc@example.com"));
  EXPECT_TRUE(is_envelope_address("用户@例子.中国"));
  for (const char* bad : {"", "no-at", "@example.com", "x@", "a b@example.com", "x@example.com>\r\nRCPT TO:<y@z.com",
                          "<x@example.com>", "x@example.com\n", "a,b@example.com"})
    EXPECT_FALSE(is_envelope_address(bad)) << bad;
}

TEST(SmtpSender, StartTlsModes) {
  EXPECT_EQ(starttls_from_string("required"), StartTls::required);
  EXPECT_EQ(starttls_from_string("if_available"), StartTls::if_available);
  EXPECT_EQ(starttls_from_string("off"), StartTls::off);
  EXPECT_FALSE(starttls_from_string("on"));
}

TEST(DeliverEmail, ABadRecipientFailsWithoutContactingAnyServer) {
  // Port 9 on loopback: nothing listens; the address check must come first.
  Json::Value s = smtp("smtp://127.0.0.1:9");
  s["starttls"] = "off";
  Outbound o;
  o.message.id = 1;
  o.message.conversation_id = 1;
  o.message.parts.push_back(schema::Part{});
  o.message.parts.back().text = "hi";
  o.recipient_id = "x@example.com>\r\nRCPT TO:<y@example.org";
  Delivery d = deliver_email(channel(s), o);
  EXPECT_EQ(d.outcome, Delivery::Outcome::failed);
  EXPECT_NE(d.error.find("invalid recipient"), std::string::npos) << d.error;
}

TEST(DeliverEmail, AChannelWithoutSmtpFailsClearly) {
  Outbound o;
  o.message.id = 1;
  o.recipient_id = "x@example.com";
  Delivery d = deliver_email(channel(Json::Value()), o);
  EXPECT_EQ(d.outcome, Delivery::Outcome::failed);
  EXPECT_NE(d.error.find("no SMTP settings"), std::string::npos) << d.error;
}

}  // namespace
}  // namespace omnigate::adapters::email
