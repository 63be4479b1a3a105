// A whole email conversation through real servers: the customer's mail
// arrives over IMAP, the agent's reply leaves over SMTP threaded into the
// customer's thread, and the customer's answer to it finds its way back;
// plus the threading rules that need a conversation with history.
#include "tests/integration/email/email_fixture.h"

#include "adapters/email/mime_parser.h"

using namespace omnigate;
using namespace omnigate::testing;

namespace {

Mail first_mail() {
  Mail m;
  m.message_id = "first@mail.example";
  return m;
}

// The agent answers through the HTTP API; returns the mail the SMTP server got.
adapters::email::ParsedEmail agent_reply(EmailFixture& f, std::int64_t conversation, const std::string& text,
                                         size_t nth = 1) {
  Json::Value body;
  body["text"] = text;
  auto r = f.gateway->client().Post("/v1/conversations/" + std::to_string(conversation) + "/messages",
                                    {{"Authorization", f.admin_auth()}}, schema::write_json(body), "application/json");
  EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
  EXPECT_TRUE(f.smtp.wait_for(nth, std::chrono::seconds(30)));
  auto received = f.smtp.received();
  if (received.size() < nth) return {};
  EXPECT_EQ(received[nth - 1].recipients, std::vector<std::string>{kCustomer});
  return adapters::email::parse_email(received[nth - 1].data);
}

std::int64_t only_conversation(EmailFixture& f) {
  auto c = f.conversations();
  EXPECT_EQ(c.size(), 1u);
  return c.empty() ? 0 : c[0].id;
}

TEST(EmailRoundTrip, TheAgentsReplyIsThreadedAndTheCustomersAnswerComesBack) {
  EmailFixture f;
  f.deliver(first_mail());
  f.poll();
  std::int64_t conversation = only_conversation(f);

  auto sent = agent_reply(f, conversation, "您好，已经发货了，单号 SF1234。");
  EXPECT_EQ(sent.in_reply_to, "first@mail.example");
  EXPECT_NE(std::find(sent.references.begin(), sent.references.end(), "first@mail.example"), sent.references.end());
  EXPECT_EQ(sent.subject, "Re: 订单 42 没收到");
  EXPECT_NE(sent.text.find("已经发货了，单号 SF1234。"), std::string::npos) << sent.text;
  EXPECT_TRUE(sent.problems.empty());
  ASSERT_EQ(sent.from.size(), 1u);
  EXPECT_EQ(sent.from[0].address, kSupport);
  ASSERT_EQ(sent.reply_to.size(), 1u);
  const std::string plus = sent.reply_to[0].address;
  EXPECT_TRUE(plus.starts_with("support+")) << plus;
  ASSERT_FALSE(sent.message_id.empty());

  // The customer answers from their client: In-Reply-To our Message-ID,
  // to the Reply-To address.
  Mail answer;
  answer.message_id = "answer@mail.example";
  answer.to = plus;
  answer.subject = "Re: 订单 42 没收到";
  answer.in_reply_to = sent.message_id;
  answer.references = "<first@mail.example> <" + sent.message_id + ">";
  answer.body = "收到了，谢谢！";
  f.deliver(answer);
  EXPECT_EQ(f.poll()["stored"].asInt(), 1);

  auto messages = f.messages(conversation);
  ASSERT_EQ(messages.size(), 3u);  // in, out, in
  EXPECT_EQ(messages[1].direction, "out");
  EXPECT_EQ(messages[2].external_id, "answer@mail.example");
  EXPECT_EQ(messages[2].text, "收到了，谢谢！");
  EXPECT_EQ(messages[2].metadata["email"]["thread"]["reason"].asString(), "references");
  EXPECT_EQ(f.conversations().size(), 1u);

  // The second reply keeps the chain: the customer's latest mail first.
  auto second = agent_reply(f, conversation, "不客气。", 2);
  EXPECT_EQ(second.in_reply_to, "answer@mail.example");
  for (const std::string& id : {std::string("first@mail.example"), sent.message_id, std::string("answer@mail.example")})
    EXPECT_NE(std::find(second.references.begin(), second.references.end(), id), second.references.end()) << id;

  // A client that dropped every reference still reaches the conversation
  // through the plus address.
  Mail bare;
  bare.message_id = "bare@mail.example";
  bare.to = plus;
  bare.subject = "Re: 订单 42 没收到";
  f.deliver(bare);
  f.poll();
  messages = f.messages(conversation);
  ASSERT_EQ(messages.size(), 5u);
  EXPECT_EQ(messages[4].metadata["email"]["thread"]["reason"].asString(), "plus_address");
}

TEST(EmailRoundTrip, AReplyToAResolvedConversationReopensItWithinTheWindow) {
  EmailFixture f;
  f.deliver(first_mail());
  f.poll();
  std::int64_t conversation = only_conversation(f);
  db::PgConnection db(f.gateway->db());
  db.exec("UPDATE conversations SET status = 'resolved' WHERE id = $1", {std::to_string(conversation)});

  Mail again;
  again.message_id = "again@mail.example";
  again.subject = "Re: 订单 42 没收到";
  again.in_reply_to = "first@mail.example";
  f.deliver(again);
  f.poll();
  auto conversations = f.conversations();
  ASSERT_EQ(conversations.size(), 1u);
  EXPECT_NE(conversations[0].status, "resolved");
  EXPECT_EQ(f.messages(conversation).back().metadata["email"]["thread"]["action"].asString(), "reopen");

  // Resolved long ago: the answer opens a new conversation linked to it.
  db.exec("UPDATE conversations SET status = 'resolved', updated_at = now() - interval '40 days', "
          "last_message_at = now() - interval '40 days' WHERE id = $1",
          {std::to_string(conversation)});
  Mail late;
  late.message_id = "late@mail.example";
  late.subject = "Re: 订单 42 没收到";
  late.in_reply_to = "again@mail.example";
  f.deliver(late);
  f.poll();
  conversations = f.conversations();
  ASSERT_EQ(conversations.size(), 2u);
  EXPECT_EQ(conversations[0].status, "resolved");
  auto fresh = f.messages(conversations[1].id);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0].metadata["email"]["thread"]["reason"].asString(), "reopen_window_passed");
  EXPECT_EQ(fresh[0].metadata["email"]["thread"]["related_conversation"].asInt64(), conversation);
}

TEST(EmailRoundTrip, AnAutoReplyToTheConversationIsANoteThatGetsNoAnswer) {
  EmailFixture f;
  f.deliver(first_mail());
  f.poll();
  std::int64_t conversation = only_conversation(f);

  Mail away;
  away.message_id = "away@mail.example";
  away.subject = "Automatic reply: 订单 42 没收到";
  away.in_reply_to = "first@mail.example";
  away.extra_headers = "Auto-Submitted: auto-replied\r\n";
  away.body = "我正在休假。";
  f.deliver(away);
  f.poll();

  auto messages = f.messages(conversation);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].direction, "system");
  EXPECT_EQ(messages[1].sender_type, "system");
  EXPECT_TRUE(messages[1].metadata["email"]["auto_reply"].asBool());
  EXPECT_EQ(f.conversations().size(), 1u);
  db::PgConnection db(f.gateway->db());
  EXPECT_EQ(db.exec("SELECT count(*) FROM outbox").int64(0, 0), 0);
  EXPECT_TRUE(f.smtp.received().empty());
}

TEST(EmailRoundTrip, AnotherSenderGetsTheirOwnConversationUnlessTheyWereCopied) {
  EmailFixture f;
  Mail first = first_mail();
  first.cc = "Boss <Boss@mail.example>";
  f.deliver(first);
  f.poll();
  std::int64_t conversation = only_conversation(f);

  // The boss was on Cc: their answer joins.
  Mail boss;
  boss.from = "Boss <boss@mail.example>";
  boss.message_id = "boss@mail.example";
  boss.subject = "Re: 订单 42 没收到";
  boss.in_reply_to = "first@mail.example";
  f.deliver(boss);
  // A stranger answering the same mail (a forwarded copy) does not.
  Mail stranger;
  stranger.from = "Wang <wang@other.example>";
  stranger.message_id = "stranger@other.example";
  stranger.subject = "Re: 订单 42 没收到";
  stranger.in_reply_to = "first@mail.example";
  f.deliver(stranger);
  f.poll();

  auto conversations = f.conversations();
  ASSERT_EQ(conversations.size(), 2u);
  EXPECT_EQ(f.messages(conversation).size(), 2u);
  EXPECT_EQ(conversations[1].contact, "wang@other.example");
  auto theirs = f.messages(conversations[1].id);
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(theirs[0].metadata["email"]["thread"]["reason"].asString(), "other_sender");
  EXPECT_EQ(theirs[0].metadata["email"]["thread"]["related_conversation"].asInt64(), conversation);
}

}  // namespace

TEST(EmailRoundTrip, AnAgentsUploadedFileGoesOutAsAnAttachment) {
  EmailFixture f;
  f.deliver(first_mail());
  f.poll();
  std::int64_t conversation = only_conversation(f);
  auto c = f.gateway->client();

  const std::string pdf = std::string("%PDF-1.4\n") + std::string(3000, 'x') + "\n%%EOF\n";
  auto up = c.Post("/v1/files?name=" + std::string("%E5%8F%91%E7%A5%A8.pdf"), {{"Authorization", f.admin_auth()}}, pdf,
                   "application/pdf");
  ASSERT_TRUE(up);
  ASSERT_EQ(up->status, 201) << up->body;
  Json::Value uploaded = schema::parse_json(up->body);
  EXPECT_EQ(uploaded["name"].asString(), "发票.pdf");
  EXPECT_EQ(uploaded["content_type"].asString(), "application/pdf");
  EXPECT_EQ(uploaded["part"]["type"].asString(), "file");
  auto nameless = c.Post("/v1/files", {{"Authorization", f.admin_auth()}}, pdf, "application/pdf");
  ASSERT_TRUE(nameless);
  EXPECT_EQ(nameless->status, 400);
  auto anonymous = c.Post("/v1/files?name=a.pdf", pdf, "application/pdf");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);

  Json::Value body;
  body["parts"].append(Json::Value(Json::objectValue));
  body["parts"][0]["type"] = "text";
  body["parts"][0]["text"] = "发票在附件里。";
  body["parts"].append(uploaded["part"]);
  auto r = c.Post("/v1/conversations/" + std::to_string(conversation) + "/messages", {{"Authorization", f.admin_auth()}},
                  schema::write_json(body), "application/json");
  ASSERT_TRUE(r && r->status == 201) << (r ? r->body : "no answer");
  ASSERT_TRUE(f.smtp.wait_for(1, std::chrono::seconds(30)));
  auto sent = adapters::email::parse_email(f.smtp.received()[0].data);
  EXPECT_NE(sent.text.find("发票在附件里。"), std::string::npos) << sent.text;
  ASSERT_EQ(sent.attachments.size(), 1u);
  EXPECT_EQ(sent.attachments[0].filename, "发票.pdf");
  EXPECT_EQ(sent.attachments[0].bytes, pdf);

  // The agent can fetch it back through the conversation it went out in.
  auto back = c.Get("/v1/files/" + uploaded["sha256"].asString() + "?conversation=" + std::to_string(conversation),
                    {{"Authorization", "Bearer " + f.gateway->agent_token()}});
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status, 200);
  EXPECT_EQ(back->body, pdf);
}
