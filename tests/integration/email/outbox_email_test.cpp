// The outbox's part in email threading, on a real PostgreSQL: claims hand
// email replies their conversation (Outbound::thread), mark_sent records our
// Message-ID so customers' answers find the message, and the whole round
// trip through a real SMTP server threads a second reply after the first.
#include <gtest/gtest.h>

#include "adapters/email/mime_parser.h"
#include "adapters/email/normalize.h"
#include "adapters/email/outbound.h"
#include "gateway/db/pool.h"
#include "gateway/store/channel_store.h"
#include "gateway/store/message_store.h"
#include "gateway/store/outbox_store.h"
#include "tests/support/smtp_server.h"
#include "tests/support/test_database.h"

using namespace omnigate;

namespace {

using Ids = std::vector<std::string>;

std::string customer_raw(const std::string& message_id, const std::string& subject_b64, const std::string& references,
                         const std::string& body) {
  return "From: Li Lei <Li.Lei@mail.example>\r\n"
         "To: support@shop.example\r\n"
         "Subject: =?UTF-8?B?" + subject_b64 + "?=\r\n"
         "Message-ID: <" + message_id + ">\r\n" +
         (references.empty() ? "" : "In-Reply-To: <" + references + ">\r\nReferences: <" + references + ">\r\n") +
         "Content-Type: text/plain; charset=utf-8\r\n"
         "\r\n" + body + "\r\n\r\n> " + std::string(2000, 'q') + "\r\n";
}

constexpr const char* kSubjectB64 = "6K6i5Y2VIDQyIOayoeaUtuWIsA==";  // 订单 42 没收到

struct Fixture {
  db::ConnectionPool pool{omnigate::testing::fresh_database(), 4};
  store::ChannelStore channels{pool};
  store::MessageStore messages{pool};
  store::OutboxStore outbox{pool};
  schema::Channel email;

  explicit Fixture(const std::string& smtp_url = "smtp://127.0.0.1:9") {
    schema::Channel c;
    c.type = schema::ChannelType::email;
    c.name = "mail";
    c.token = "email-outbox-token";
    c.config["address"] = "support@shop.example";
    c.config["smtp"]["url"] = smtp_url;
    c.config["smtp"]["starttls"] = "off";
    c.secrets["signing_secret"] = "outbox-email-secret";
    email = channels.create(c);
  }

  schema::Message customer_mail(const std::string& message_id, const std::string& references = "") {
    schema::Message m = adapters::email::normalize(
        adapters::email::parse_email(customer_raw(message_id, kSubjectB64, references, "还没收到。")), email.id);
    return messages.ingest({m})[0].message;
  }

  schema::Message store(std::int64_t conversation, schema::Direction direction, const std::string& text,
                        schema::DeliveryStatus status, const std::string& external_id = "") {
    schema::Message m;
    m.channel_id = email.id;
    m.conversation_id = conversation;
    m.direction = direction;
    m.sender = {schema::SenderType::agent, "1", "Agent"};
    m.delivery_status = status;
    m.external_id = external_id;
    m.parts.push_back(schema::Part{});
    m.parts.back().text = text;
    return messages.ingest({m})[0].message;
  }
  schema::Message queue_reply(std::int64_t conversation, const std::string& text, const std::string& external_id = "") {
    return store(conversation, schema::Direction::out, text, schema::DeliveryStatus::pending, external_id);
  }

  adapters::Outbound claim_one() {
    auto claimed = outbox.claim(10, std::chrono::seconds(60));
    EXPECT_EQ(claimed.size(), 1u);
    return claimed.empty() ? adapters::Outbound{} : claimed[0];
  }

  schema::Message reload(std::int64_t id) { return messages.by_ids({id}).at(0); }
};

adapters::Delivery sent(const std::string& external_id) {
  adapters::Delivery d;
  d.external_id = external_id;
  return d;
}

TEST(OutboxEmail, ClaimHandsAnEmailReplyItsConversationOldestFirst) {
  Fixture f;
  schema::Message mail = f.customer_mail("c1@mail.example");
  f.store(mail.conversation_id, schema::Direction::note, "private: VIP customer", schema::DeliveryStatus::none);
  f.queue_reply(mail.conversation_id, "first answer");
  adapters::Outbound first = f.claim_one();
  ASSERT_TRUE(f.outbox.mark_sent(first, sent("og.first@shop.example")));
  f.queue_reply(mail.conversation_id, "second answer");

  adapters::Outbound second = f.claim_one();
  ASSERT_EQ(second.thread.size(), 2u);  // the note is not part of it
  EXPECT_EQ(second.thread[0].id, mail.id);
  EXPECT_EQ(second.thread[0].metadata["email"]["message_id"].asString(), "c1@mail.example");
  EXPECT_EQ(second.thread[0].metadata["email"]["subject"].asString(), "订单 42 没收到");
  // The quoted original stays in the store, not in every claim.
  EXPECT_FALSE(second.thread[0].metadata["email"].isMember("full_text"));
  EXPECT_TRUE(f.reload(mail.id).metadata["email"].isMember("full_text"));
  EXPECT_EQ(second.thread[1].id, first.message.id);
  EXPECT_EQ(second.thread[1].delivery_status, schema::DeliveryStatus::sent);
  EXPECT_EQ(second.thread[1].external_id, "og.first@shop.example");
  EXPECT_EQ(second.recipient_id, "li.lei@mail.example");
}

TEST(OutboxEmail, TheCustomersMailStaysInTheThreadBeyondTheLatestTwenty) {
  Fixture f;
  schema::Message mail = f.customer_mail("c1@mail.example");
  for (int i = 0; i < 25; ++i)
    f.store(mail.conversation_id, schema::Direction::out, "update " + std::to_string(i), schema::DeliveryStatus::sent);
  f.queue_reply(mail.conversation_id, "one more");
  adapters::Outbound o = f.claim_one();
  ASSERT_EQ(o.thread.size(), 21u);
  EXPECT_EQ(o.thread.front().id, mail.id);
  EXPECT_EQ(o.thread[1].parts.at(0).text, "update 5");
  EXPECT_EQ(o.thread.back().parts.at(0).text, "update 24");
}

TEST(OutboxEmail, OtherChannelsGetNoThread) {
  Fixture f;
  schema::Channel hook;
  hook.type = schema::ChannelType::webhook;
  hook.name = "hook";
  hook.token = "webhook-outbox-token";
  hook = f.channels.create(hook);
  schema::Message in;
  in.channel_id = hook.id;
  in.sender = {schema::SenderType::contact, "cust", "Customer"};
  in.parts.push_back(schema::Part{});
  auto conversation = f.messages.ingest({in})[0].message.conversation_id;
  schema::Message out;
  out.channel_id = hook.id;
  out.conversation_id = conversation;
  out.direction = schema::Direction::out;
  out.sender = {schema::SenderType::agent, "1", "Agent"};
  out.delivery_status = schema::DeliveryStatus::pending;
  out.parts.push_back(schema::Part{});
  f.messages.ingest({out});
  EXPECT_TRUE(f.claim_one().thread.empty());
}

TEST(OutboxEmail, MarkSentMakesTheMessageIdTheMessagesExternalId) {
  Fixture f;
  schema::Message mail = f.customer_mail("c1@mail.example");
  schema::Message plain = f.queue_reply(mail.conversation_id, "plain");
  ASSERT_TRUE(f.outbox.mark_sent(f.claim_one(), sent("og.1.aa@shop.example")));
  schema::Message stored = f.reload(plain.id);
  EXPECT_EQ(stored.external_id, "og.1.aa@shop.example");
  EXPECT_EQ(stored.metadata["delivery"]["external_id"].asString(), "og.1.aa@shop.example");

  // A reply with a client_msg_id keeps it (its idempotency key); the
  // Message-ID is found in metadata.delivery.
  schema::Message keyed = f.queue_reply(mail.conversation_id, "keyed", "agent:1:client-7");
  ASSERT_TRUE(f.outbox.mark_sent(f.claim_one(), sent("og.2.bb@shop.example")));
  stored = f.reload(keyed.id);
  EXPECT_EQ(stored.external_id, "agent:1:client-7");
  EXPECT_EQ(stored.metadata["delivery"]["external_id"].asString(), "og.2.bb@shop.example");

  // An id another message of the channel already has is not taken twice.
  schema::Message clash = f.queue_reply(mail.conversation_id, "clash");
  ASSERT_TRUE(f.outbox.mark_sent(f.claim_one(), sent("c1@mail.example")));
  stored = f.reload(clash.id);
  EXPECT_EQ(stored.external_id, "");
  EXPECT_EQ(stored.delivery_status, schema::DeliveryStatus::sent);
  EXPECT_EQ(stored.metadata["delivery"]["external_id"].asString(), "c1@mail.example");
}

TEST(OutboxEmail, TwoRepliesThroughSmtpStayInTheCustomersThread) {
  omnigate::testing::SmtpServer server;
  Fixture f(server.url());
  schema::Message mail = f.customer_mail("c1@mail.example");

  f.queue_reply(mail.conversation_id, "您好，已经发货了。");
  adapters::Outbound first = f.claim_one();
  adapters::Delivery d1 = adapters::email::deliver_email(f.email, first);
  ASSERT_EQ(d1.outcome, adapters::Delivery::Outcome::sent) << d1.error;
  ASSERT_TRUE(f.outbox.mark_sent(first, d1));
  EXPECT_EQ(f.reload(first.message.id).external_id, d1.external_id);

  f.queue_reply(mail.conversation_id, "补充：单号 SF1234。");
  adapters::Outbound second = f.claim_one();
  adapters::Delivery d2 = adapters::email::deliver_email(f.email, second);
  ASSERT_EQ(d2.outcome, adapters::Delivery::Outcome::sent) << d2.error;
  ASSERT_TRUE(f.outbox.mark_sent(second, d2));

  ASSERT_TRUE(server.wait_for(2));
  auto got = server.received();
  auto one = adapters::email::parse_email(got[0].data);
  auto two = adapters::email::parse_email(got[1].data);
  EXPECT_EQ(got[0].recipients, Ids{"li.lei@mail.example"});
  EXPECT_EQ(one.message_id, d1.external_id);
  EXPECT_EQ(one.subject, "Re: 订单 42 没收到");
  EXPECT_EQ(one.in_reply_to, "c1@mail.example");
  EXPECT_EQ(one.references, Ids{"c1@mail.example"});
  EXPECT_EQ(one.text, "您好，已经发货了。");
  EXPECT_EQ(two.message_id, d2.external_id);
  EXPECT_EQ(two.subject, "Re: 订单 42 没收到");
  EXPECT_EQ(two.in_reply_to, "c1@mail.example");
  EXPECT_EQ(two.references, (Ids{"c1@mail.example", d1.external_id}));

  // The customer answers our second mail: its References name our ids,
  // which the store now finds by (channel, external_id).
  schema::Message answer = adapters::email::normalize(
      adapters::email::parse_email(customer_raw("c2@mail.example", kSubjectB64, d2.external_id, "收到了，谢谢")),
      f.email.id);
  auto conn = f.pool.acquire();
  auto r = conn->exec("SELECT id FROM messages WHERE channel_id = $1 AND external_id = ANY($2::text[]) ORDER BY id",
                      {std::to_string(f.email.id),
                       db::array_literal(std::vector<std::string>{answer.metadata["email"]["references"][0].asString()})});
  ASSERT_EQ(r.rows(), 1);
  EXPECT_EQ(r.int64(0, 0), second.message.id);
}

}  // namespace
