// The admin's "test connection" on an email channel (POST
// /v1/admin/channels/{id}/test) against the real dovecot and aiosmtpd of the
// fixture: what passes, what each kind of failure says, and that a test
// neither sends mail nor touches the mailbox.
#include "tests/integration/email/email_fixture.h"

#include <json/writer.h>  // operator<< for Json::Value in assertion messages

using namespace omnigate;
using namespace omnigate::testing;

namespace {

Json::Value run_test(EmailFixture& f) {
  auto r = f.gateway->client().Post("/v1/admin/channels/" + std::to_string(f.channel_id()) + "/test",
                                    {{"Authorization", f.admin_auth()}}, "", "application/json");
  EXPECT_TRUE(r);
  if (!r) return Json::Value();
  EXPECT_EQ(r->status, 200) << r->body;
  return schema::parse_json(r->body);
}

const Json::Value& check(const Json::Value& answer, const std::string& name) {
  for (const Json::Value& c : answer["checks"])
    if (c["name"].asString() == name) return c;
  static const Json::Value none;
  ADD_FAILURE() << "no \"" << name << "\" check in " << schema::write_json(answer);
  return none;
}

void patch_config(EmailFixture& f, const Json::Value& config) {
  Json::Value body(Json::objectValue);
  body["config"] = config;
  auto r = f.gateway->client().Patch("/v1/admin/channels/" + std::to_string(f.channel_id()),
                                     {{"Authorization", f.admin_auth()}}, schema::write_json(body), "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  f.channel = schema::parse_json(r->body);
}

}  // namespace

TEST(EmailConnectionTest, LogsInToBothServersWithoutSendingOrFetchingAnything) {
  EmailFixture f;
  Mail waiting;
  waiting.message_id = "waiting@mail.example";
  f.deliver(waiting);

  Json::Value answer = run_test(f);
  EXPECT_TRUE(answer["ok"].asBool()) << schema::write_json(answer);
  EXPECT_EQ(answer["channel_id"].asInt64(), f.channel_id());
  ASSERT_EQ(answer["checks"].size(), 2u);
  EXPECT_EQ(answer["checks"][0]["name"].asString(), "imap");
  const Json::Value& imap = check(answer, "imap");
  EXPECT_TRUE(imap["ok"].asBool());
  EXPECT_NE(imap["detail"].asString().find("INBOX"), std::string::npos) << imap["detail"];
  EXPECT_NE(imap["detail"].asString().find("UIDVALIDITY"), std::string::npos) << imap["detail"];
  const Json::Value& smtp = check(answer, "smtp");
  EXPECT_TRUE(smtp["ok"].asBool()) << smtp["detail"];
  EXPECT_NE(smtp["detail"].asString().find("220"), std::string::npos) << "the server's greeting: " << smtp["detail"];
  EXPECT_NE(smtp["detail"].asString().find("without TLS"), std::string::npos) << smtp["detail"];
  EXPECT_TRUE(smtp["ms"].isIntegral());

  EXPECT_TRUE(f.smtp.received().empty()) << "a connection test must not send mail";
  EXPECT_TRUE(f.conversations().empty()) << "a connection test must not fetch mail";
  f.poll();
  EXPECT_EQ(f.conversations().size(), 1u) << "the waiting mail is still there for the poller";

  db::PgConnection c(f.gateway->db());
  auto audit = c.exec("SELECT detail::text FROM audit_log WHERE action = 'channel.tested' AND target_id = $1",
                      {std::to_string(f.channel_id())});
  ASSERT_EQ(audit.rows(), 1);
  Json::Value detail = schema::parse_json(audit.text(0, 0));
  EXPECT_TRUE(detail["ok"].asBool());
  EXPECT_EQ(detail["failed"].size(), 0u);
}

TEST(EmailConnectionTest, AWrongImapPasswordFailsTheImapCheckOnlyAndIsNotQuoted) {
  EmailFixture f;
  Json::Value config = f.channel["config"];
  config["imap"]["password"] = "not-the-password-4711";
  patch_config(f, config);

  Json::Value answer = run_test(f);
  EXPECT_FALSE(answer["ok"].asBool());
  const Json::Value& imap = check(answer, "imap");
  EXPECT_FALSE(imap["ok"].asBool());
  EXPECT_FALSE(imap["detail"].asString().empty());
  EXPECT_EQ(imap["detail"].asString().find("not-the-password-4711"), std::string::npos) << imap["detail"];
  EXPECT_TRUE(check(answer, "smtp")["ok"].asBool()) << "SMTP does not depend on IMAP";

  db::PgConnection c(f.gateway->db());
  auto audit = c.exec("SELECT detail::text FROM audit_log WHERE action = 'channel.tested'");
  ASSERT_EQ(audit.rows(), 1);
  EXPECT_EQ(schema::parse_json(audit.text(0, 0))["failed"][0].asString(), "imap");
}

TEST(EmailConnectionTest, AnSmtpServerThatIsDownFailsTheSmtpCheck) {
  EmailFixture f;
  f.smtp.stop();
  Json::Value answer = run_test(f);
  EXPECT_FALSE(answer["ok"].asBool());
  EXPECT_TRUE(check(answer, "imap")["ok"].asBool());
  const Json::Value& smtp = check(answer, "smtp");
  EXPECT_FALSE(smtp["ok"].asBool());
  EXPECT_NE(smtp["detail"].asString().find("SMTP"), std::string::npos) << smtp["detail"];
}

TEST(EmailConnectionTest, RequiredStartTlsOnAServerWithoutItFails) {
  EmailFixture f;
  Json::Value config = f.channel["config"];
  config["smtp"]["starttls"] = "required";
  patch_config(f, config);
  Json::Value answer = run_test(f);
  const Json::Value& smtp = check(answer, "smtp");
  EXPECT_FALSE(smtp["ok"].asBool());
  EXPECT_FALSE(smtp["detail"].asString().empty());
}

TEST(EmailConnectionTest, AChannelWithoutImapTestsSmtpOnly) {
  EmailFixture f;
  Json::Value config = f.channel["config"];
  config.removeMember("imap");
  patch_config(f, config);
  Json::Value answer = run_test(f);
  ASSERT_EQ(answer["checks"].size(), 1u) << schema::write_json(answer);
  EXPECT_EQ(answer["checks"][0]["name"].asString(), "smtp");
  EXPECT_TRUE(answer["ok"].asBool());
}
