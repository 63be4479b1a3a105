// The IMAP poller against a real dovecot: mail in the inbox becomes
// conversations, the cursor survives restarts and renumbered mailboxes, and
// neither robots nor malformed mail disturb it.
#include "tests/integration/email/email_fixture.h"

using namespace omnigate::testing;

namespace {

Mail mail(const std::string& id, const std::string& subject = "订单 42 没收到") {
  Mail m;
  m.message_id = id;
  m.subject = subject;
  return m;
}

TEST(EmailImap, AMailInTheInboxBecomesAConversation) {
  EmailFixture f;
  f.deliver(mail("first@mail.example"));
  Json::Value report = f.poll();
  EXPECT_EQ(report["fetched"].asInt(), 1);
  EXPECT_EQ(report["stored"].asInt(), 1);

  auto conversations = f.conversations();
  ASSERT_EQ(conversations.size(), 1u);
  EXPECT_EQ(conversations[0].contact, kCustomer);
  EXPECT_EQ(conversations[0].thread_key, "first@mail.example");
  auto messages = f.messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].conversation_id, conversations[0].id);
  EXPECT_EQ(messages[0].direction, "in");
  EXPECT_EQ(messages[0].external_id, "first@mail.example");
  EXPECT_EQ(messages[0].text, "你好，我的订单 42 还没收到。");
  EXPECT_EQ(messages[0].metadata["email"]["subject"].asString(), "订单 42 没收到");
  EXPECT_EQ(messages[0].metadata["email"]["thread"]["action"].asString(), "open_new");
  EXPECT_EQ(messages[0].metadata["email"]["thread"]["reason"].asString(), "new_mail");

  // after_fetch "seen" (the default): the mail stays, flagged \Seen.
  auto inbox = f.imap.mails();
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_NE(inbox[0].flags.find('S'), std::string::npos);
  // Nothing new: the next poll fetches nothing.
  EXPECT_EQ(f.poll()["fetched"].asInt(), 0);
}

TEST(EmailImap, MoveTakesEachStoredMailOutOfTheInbox) {
  Json::Value config;
  config["imap"]["after_fetch"] = "move";
  config["imap"]["move_to"] = "Processed";
  EmailFixture f(config);
  f.deliver(mail("m1@mail.example"));
  f.deliver(mail("m2@mail.example"));
  EXPECT_EQ(f.poll()["stored"].asInt(), 2);
  EXPECT_TRUE(f.imap.mails().empty());
  EXPECT_EQ(f.imap.mails("Processed").size(), 2u);
  EXPECT_EQ(f.messages().size(), 2u);
}

TEST(EmailImap, ARestartBetweenPollsNeitherRepeatsNorMisses) {
  EmailFixture f;
  f.deliver(mail("before@mail.example"));
  EXPECT_EQ(f.poll()["stored"].asInt(), 1);

  f.restart_gateway();
  f.deliver(mail("after@mail.example"));
  Json::Value report = f.poll();
  EXPECT_EQ(report["fetched"].asInt(), 1);  // only the new mail
  EXPECT_EQ(report["stored"].asInt(), 1);
  auto messages = f.messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].external_id, "before@mail.example");
  EXPECT_EQ(messages[1].external_id, "after@mail.example");
  // Same sender, same topic, no references: one conversation.
  EXPECT_EQ(f.conversations().size(), 1u);

  // A lost cursor (a crash after storing, before saving it) re-reads the
  // mailbox; idempotency on the Message-ID keeps every mail once.
  {
    omnigate::db::PgConnection c(f.gateway->db());
    c.exec("DELETE FROM channel_state WHERE channel_id = $1", {std::to_string(f.channel_id())});
  }
  report = f.poll();
  EXPECT_EQ(report["fetched"].asInt(), 2);
  EXPECT_EQ(report["duplicates"].asInt(), 2);
  EXPECT_EQ(report["stored"].asInt(), 0);
  EXPECT_EQ(f.messages().size(), 2u);
}

TEST(EmailImap, ANewUidValidityReadsTheMailboxAgainWithoutDuplicates) {
  EmailFixture f;
  f.deliver(mail("a@mail.example"));
  f.deliver(mail("b@mail.example"));
  EXPECT_EQ(f.poll()["stored"].asInt(), 2);
  f.imap.renumber_inbox();
  f.deliver(mail("c@mail.example"));
  Json::Value report = f.poll();
  EXPECT_EQ(report["fetched"].asInt(), 3);
  EXPECT_EQ(report["duplicates"].asInt(), 2);
  EXPECT_EQ(report["stored"].asInt(), 1);
  EXPECT_EQ(f.messages().size(), 3u);
}

TEST(EmailImap, AnAutoReplyOpensNoConversation) {
  EmailFixture f;
  Mail away = mail("away@mail.example", "Automatic reply: 休假中");
  away.extra_headers = "Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n";
  away.body = "I am on leave until Monday.";
  f.deliver(away);
  Mail bounce = mail("bounce@mx.mail.example", "Undelivered Mail Returned to Sender");
  bounce.from = "MAILER-DAEMON@mx.mail.example";
  f.deliver(bounce);
  Mail own = mail("own@shop.example", "A copy of our own mail");
  own.from = std::string("Shop Support <") + kSupport + ">";
  f.deliver(own);

  Json::Value report = f.poll();
  EXPECT_EQ(report["fetched"].asInt(), 3);
  EXPECT_EQ(report["dropped"].asInt(), 3);
  EXPECT_TRUE(f.conversations().empty());
  EXPECT_TRUE(f.messages().empty());
  // Read and dealt with: not fetched again.
  EXPECT_EQ(f.poll()["fetched"].asInt(), 0);
}

TEST(EmailImap, ANewSubjectStartsANewConversationAndAReplyFindsItsOwn) {
  EmailFixture f;
  f.deliver(mail("order@mail.example", "订单 42 没收到"));
  f.deliver(mail("invoice@mail.example", "Invoice for March"));
  EXPECT_EQ(f.poll()["stored"].asInt(), 2);
  auto conversations = f.conversations();
  ASSERT_EQ(conversations.size(), 2u);  // both open, one per topic
  EXPECT_EQ(conversations[0].contact, kCustomer);
  EXPECT_EQ(conversations[1].contact, kCustomer);
  EXPECT_NE(conversations[0].status, "resolved");
  EXPECT_NE(conversations[1].status, "resolved");

  // A reply on the first topic, from another mail client (References only).
  Mail reply = mail("re-order@mail.example", "回复: 订单 42 没收到");
  reply.references = "<order@mail.example>";
  f.deliver(reply);
  // A reply to the first mail that changed the subject: a new topic.
  Mail changed = mail("new-topic@mail.example", "Re: Can I change the address?");
  changed.in_reply_to = "order@mail.example";
  changed.references = "<order@mail.example>";
  f.deliver(changed);
  EXPECT_EQ(f.poll()["stored"].asInt(), 2);

  auto messages = f.messages();
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[2].conversation_id, conversations[0].id);
  EXPECT_EQ(messages[2].metadata["email"]["thread"]["reason"].asString(), "references");
  ASSERT_EQ(f.conversations().size(), 3u);
  EXPECT_EQ(messages[3].conversation_id, f.conversations()[2].id);
  EXPECT_EQ(messages[3].metadata["email"]["thread"]["reason"].asString(), "new_topic");
  EXPECT_EQ(messages[3].metadata["email"]["thread"]["related_conversation"].asInt64(), conversations[0].id);
}

TEST(EmailImap, MalformedMailNeverStopsThePoller) {
  EmailFixture f;
  // Truncated in the middle of its attachment: kept with a problem noted.
  f.imap.deliver(
      "From: li.lei@mail.example\r\nSubject: truncated\r\nMessage-ID: <cut@mail.example>\r\n"
      "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n"
      "--zz\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nthe text survives\r\n"
      "--zz\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0x");
  // Nothing that names a sender: dropped.
  f.imap.deliver("\x01\x02 this is not a mail at all\r\n");
  // Nothing at all: skipped as unreadable.
  f.imap.deliver("");
  f.deliver(mail("fine@mail.example"));

  Json::Value report = f.poll();
  EXPECT_EQ(report["fetched"].asInt(), 4);
  EXPECT_EQ(report["stored"].asInt(), 2);
  EXPECT_EQ(report["dropped"].asInt(), 1);
  EXPECT_EQ(report["unreadable"].asInt(), 1);
  auto messages = f.messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].external_id, "cut@mail.example");
  EXPECT_EQ(messages[0].text, "the text survives");
  EXPECT_EQ(messages[1].external_id, "fine@mail.example");
  // The cursor moved past all four.
  EXPECT_EQ(f.poll()["fetched"].asInt(), 0);
}

TEST(EmailImap, AWrongPasswordIsAFailedPollNotACrash) {
  Json::Value config;
  config["imap"]["password"] = "not-the-password";
  EmailFixture f(config);
  f.deliver(mail("waiting@mail.example"));
  Json::Value report = f.poll_report();
  EXPECT_TRUE(report["error"].isString());
  EXPECT_EQ(report["error"].asString().find("not-the-password"), std::string::npos);
  EXPECT_TRUE(f.messages().empty());
}

}  // namespace

namespace {

TEST(EmailImap, OnlyTheNodeHoldingTheChannelsLockPolls) {
  EmailFixture f;
  f.deliver(mail("locked@mail.example"));
  // Another node polling this mailbox holds its lock.
  omnigate::db::PgConnection other(f.gateway->db());
  ASSERT_TRUE(other.exec("SELECT pg_try_advisory_lock(hashtext('omnigate.imap'), hashtext($1))",
                         {std::to_string(f.channel_id())})
                  .boolean(0, 0));
  Json::Value report = f.poll_report();
  EXPECT_FALSE(report["polled"].asBool());
  EXPECT_EQ(report["skipped"].asString(), "locked_elsewhere");
  EXPECT_TRUE(f.messages().empty());

  other.exec("SELECT pg_advisory_unlock_all()");
  EXPECT_EQ(f.poll()["stored"].asInt(), 1);
}

TEST(EmailImap, PollingAChannelWithoutAMailboxSaysSo) {
  EmailFixture f;
  Json::Value relay_only = f.gateway->create_channel("email", "Relay only", [] {
    Json::Value c;
    c["address"] = "relay@shop.example";
    return c;
  }());
  auto c = f.gateway->client();
  auto r = c.Post("/v1/admin/channels/" + relay_only["id"].asString() + "/poll", {{"Authorization", f.admin_auth()}},
                  "", "application/json");
  ASSERT_TRUE(r && r->status == 200);
  EXPECT_EQ(parse(r->body)["skipped"].asString(), "not_polled");
  r = c.Post("/v1/admin/channels/999999/poll", {{"Authorization", f.admin_auth()}}, "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = c.Post("/v1/admin/channels/" + relay_only["id"].asString() + "/poll",
             {{"Authorization", "Bearer " + f.gateway->agent_token()}}, "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
}

}  // namespace
