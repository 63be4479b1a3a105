#include "adapters/email/reply_threading.h"

#include <gtest/gtest.h>

namespace omnigate::adapters::email {
namespace {

using Ids = std::vector<std::string>;

schema::Message customer(const std::string& message_id, const std::string& subject, const Ids& references = {}) {
  schema::Message m;
  m.direction = schema::Direction::in;
  m.external_id = message_id;
  m.metadata["email"]["message_id"] = message_id;
  m.metadata["email"]["subject"] = subject;
  m.metadata["email"]["references"] = Json::Value(Json::arrayValue);
  for (const auto& r : references) m.metadata["email"]["references"].append(r);
  m.metadata["email"]["auto_reply"] = false;
  m.metadata["email"]["bounce"] = false;
  return m;
}

schema::Message ours(const std::string& message_id) {
  schema::Message m;
  m.direction = schema::Direction::out;
  m.delivery_status = schema::DeliveryStatus::sent;
  m.external_id = message_id;
  m.metadata["delivery"]["external_id"] = message_id;
  return m;
}

TEST(ReplyThreading, AnswersTheCustomersLatestMail) {
  auto t = reply_threading({customer("c1@x.test", "订单问题"), ours("og.2.a@us.test"),
                            customer("c2@x.test", "回复: 订单问题", {"c1@x.test", "og.2.a@us.test"})});
  EXPECT_EQ(t.subject, "Re: 订单问题");
  EXPECT_EQ(t.in_reply_to, "c2@x.test");
  EXPECT_EQ(t.references, (Ids{"c1@x.test", "og.2.a@us.test", "c2@x.test"}));
}

TEST(ReplyThreading, KeepsOurMailsTheCustomersClientDroppedAndThoseSentSince) {
  // The customer's client kept only its own id; our first answer goes back
  // in before theirs, our second answer (after their mail) at the end.
  auto t = reply_threading({customer("c1@x.test", "Order"), ours("og.2.a@us.test"),
                            customer("c3@x.test", "Re: Order", {"c1@x.test"}), ours("og.4.b@us.test")});
  EXPECT_EQ(t.in_reply_to, "c3@x.test");
  EXPECT_EQ(t.references, (Ids{"c1@x.test", "og.2.a@us.test", "c3@x.test", "og.4.b@us.test"}));
}

TEST(ReplyThreading, AutoRepliesBouncesNotesAndUnsentRepliesAreNotAnswered) {
  schema::Message vacation = customer("auto@x.test", "Automatic reply: Order");
  vacation.metadata["email"]["auto_reply"] = true;
  schema::Message bounce = customer("bounce@x.test", "Undeliverable");
  bounce.metadata["email"]["bounce"] = true;
  schema::Message failed = ours("og.9.f@us.test");
  failed.delivery_status = schema::DeliveryStatus::failed;
  schema::Message note;
  note.direction = schema::Direction::note;
  note.metadata["email"]["message_id"] = "note@us.test";
  auto t = reply_threading({customer("c1@x.test", "Order"), vacation, bounce, failed, note});
  EXPECT_EQ(t.subject, "Re: Order");
  EXPECT_EQ(t.in_reply_to, "c1@x.test");
  EXPECT_EQ(t.references, (Ids{"c1@x.test"}));
}

TEST(ReplyThreading, SubjectIsTheLatestNonEmptyCustomerSubject) {
  EXPECT_EQ(reply_threading({customer("c1@x.test", "Re: Re: Order 42"), customer("c2@x.test", "  ")}).subject,
            "Re: Order 42");
  EXPECT_EQ(reply_threading({customer("c1@x.test", "")}).subject, "Re:");
  EXPECT_EQ(reply_threading({customer("c1@x.test", "Old"), customer("c2@x.test", "New topic")}).subject,
            "Re: New topic");
}

TEST(ReplyThreading, WithoutACustomerMailItFollowsOurOwn) {
  auto t = reply_threading({ours("og.1.a@us.test"), ours("og.2.b@us.test")});
  EXPECT_EQ(t.subject, "");
  EXPECT_EQ(t.in_reply_to, "og.2.b@us.test");
  EXPECT_EQ(t.references, (Ids{"og.1.a@us.test", "og.2.b@us.test"}));
  EXPECT_TRUE(reply_threading({}).references.empty());
  EXPECT_EQ(reply_threading({}).in_reply_to, "");
}

TEST(ReplyThreading, ReferencesAreBoundedToTheRootAndTheLatest) {
  Ids long_chain;
  for (int i = 0; i < 40; ++i) long_chain.push_back("r" + std::to_string(i) + "@x.test");
  auto t = reply_threading({customer("last@x.test", "Order", long_chain)});
  ASSERT_EQ(t.references.size(), kMaxReferences);
  EXPECT_EQ(t.references.front(), "r0@x.test");
  EXPECT_EQ(t.references[1], "r22@x.test");  // r0, then the latest 19: r22..r39 and last
  EXPECT_EQ(t.references.back(), "last@x.test");
}

TEST(ReplyThreading, IdsThatCannotBeWrittenSafelyAreLeftOut) {
  auto t = reply_threading(
      {customer("c2@x.test", "Order", {"ok@x.test", "two words@x.test", "a>b@x.test", "new\r\nBcc: x@y", "", "ok@x.test"})});
  EXPECT_EQ(t.references, (Ids{"ok@x.test", "c2@x.test"}));
  auto unsafe = reply_threading({customer("bad id@x.test", "Order")});
  EXPECT_EQ(unsafe.in_reply_to, "");
  EXPECT_TRUE(unsafe.references.empty());
}

TEST(ReplyThreading, SentMessageIdPrefersTheRecordedDeliveryId) {
  schema::Message m = ours("og.5.c@us.test");
  m.external_id = "agent:3:client-id-7";  // the reply's own idempotency key
  EXPECT_EQ(sent_message_id(m), "og.5.c@us.test");
  m.metadata = Json::Value();
  EXPECT_EQ(sent_message_id(m), "");  // not a Message-ID
  m.external_id = "og.5.c@us.test";
  EXPECT_EQ(sent_message_id(m), "og.5.c@us.test");
  m.delivery_status = schema::DeliveryStatus::pending;
  EXPECT_EQ(sent_message_id(m), "");
}

}  // namespace
}  // namespace omnigate::adapters::email
