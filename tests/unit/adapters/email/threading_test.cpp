// DESIGN.md's email threading rules, one by one, through the pure decision
// (adapters/email/threading.h), and mail_facts() reading a normalized mail.
#include "adapters/email/threading.h"

#include <gtest/gtest.h>

#include "adapters/email/mime_parser.h"
#include "adapters/email/normalize.h"

using namespace omnigate::adapters::email;
using omnigate::schema::Timestamp;

namespace {

constexpr const char* kCustomer = "li.lei@mail.example";

Timestamp at_day(int day) { return Timestamp(std::chrono::days(20000 + day)); }

ThreadPolicy policy(int today = 100) {
  ThreadPolicy p;
  p.own_address = "Support@Shop.example";
  p.reopen_window = std::chrono::days(30);
  p.now = at_day(today);
  return p;
}

MailFacts reply(const std::string& subject, std::vector<std::string> references = {"og.7.abc@shop.example"}) {
  MailFacts m;
  m.message_id = "reply-1@mail.example";
  m.sender = kCustomer;
  m.subject = subject;
  m.references = std::move(references);
  m.recipients = {"support@shop.example"};
  return m;
}

ConversationFacts conversation(std::int64_t id, const std::string& contact = kCustomer,
                               std::vector<std::string> topics = {"order 42 missing"}) {
  ConversationFacts c;
  c.id = id;
  c.contact = contact;
  c.participants = {contact};
  c.topics = std::move(topics);
  c.last_activity = at_day(99);
  return c;
}

void expect(const ThreadDecision& d, ThreadAction action, std::int64_t conversation, const std::string& reason,
            std::int64_t related = 0) {
  EXPECT_EQ(to_string(d.action), to_string(action));
  EXPECT_EQ(d.conversation_id, conversation);
  EXPECT_EQ(d.reason, reason);
  EXPECT_EQ(d.related_to, related);
}

TEST(EmailThreading, AMailStoredBeforeStaysWhereItIs) {
  ThreadCandidates c;
  c.stored_in = 5;
  c.referenced = {conversation(9)};
  expect(decide_thread(reply("Re: Order 42 missing"), c, policy()), ThreadAction::join, 5, "stored");
}

// Rule 1: any Message-ID of In-Reply-To or References, not only the last.
TEST(EmailThreading, AReplyJoinsTheConversationOfAnyReference) {
  ThreadCandidates c;
  c.referenced = {conversation(3)};
  expect(decide_thread(reply("RE: 回复: Order  42 missing"), c, policy()), ThreadAction::join, 3, "references");
}

TEST(EmailThreading, TheFirstReferenceTheSenderMayContinueWins) {
  ThreadCandidates c;
  c.referenced = {conversation(3, "someone@else.example"), conversation(4)};
  expect(decide_thread(reply("Re: Order 42 missing"), c, policy()), ThreadAction::join, 4, "references");
}

TEST(EmailThreading, ThePlusAddressIsTheFallback) {
  ThreadCandidates c;
  c.addressed = conversation(6);
  expect(decide_thread(reply("Re: Order 42 missing", {}), c, policy()), ThreadAction::join, 6, "plus_address");
}

TEST(EmailThreading, ReferencesComeBeforeThePlusAddress) {
  ThreadCandidates c;
  c.referenced = {conversation(3)};
  c.addressed = conversation(6);
  expect(decide_thread(reply("Re: Order 42 missing"), c, policy()), ThreadAction::join, 3, "references");
}

// Rule 2: scoped by contact, unless the sender took part (Cc).
TEST(EmailThreading, AnotherSenderAnsweringGetsAConversationOfTheirOwn) {
  ThreadCandidates c;
  c.referenced = {conversation(3, "first@mail.example")};
  c.addressed = conversation(3, "first@mail.example");
  expect(decide_thread(reply("Re: Order 42 missing"), c, policy()), ThreadAction::open_new, 0, "other_sender", 3);
}

TEST(EmailThreading, ACcParticipantJoinsTheConversation) {
  ThreadCandidates c;
  ConversationFacts shared = conversation(3, "first@mail.example");
  shared.participants.push_back(kCustomer);
  c.referenced = {shared};
  expect(decide_thread(reply("Re: Order 42 missing"), c, policy()), ThreadAction::join, 3, "references");
}

// Rule 3: a new topic starts a new conversation, linked to the old one.
TEST(EmailThreading, ANewSubjectOnAReplyStartsANewConversation) {
  ThreadCandidates c;
  c.referenced = {conversation(3)};
  expect(decide_thread(reply("Re: Invoice for March"), c, policy()), ThreadAction::open_new, 0, "new_topic", 3);
}

TEST(EmailThreading, PrefixesAndTagsAreNotANewTopic) {
  ThreadCandidates c;
  c.referenced = {conversation(3)};
  for (const char* subject : {"Fwd: Order 42 missing", "答复: [Ticket 7] order 42 MISSING", "回复：Order 42 missing",
                              "转发: Order 42 missing"})
    expect(decide_thread(reply(subject), c, policy()), ThreadAction::join, 3, "references");
}

TEST(EmailThreading, AnEmptySubjectOrAConversationWithoutOneIsNoNewTopic) {
  ThreadCandidates c;
  c.referenced = {conversation(3)};
  expect(decide_thread(reply(""), c, policy()), ThreadAction::join, 3, "references");
  c.referenced = {conversation(3, kCustomer, {})};
  expect(decide_thread(reply("Anything"), c, policy()), ThreadAction::join, 3, "references");
}

TEST(EmailThreading, ATopicSeenAnywhereInTheConversationIsNotNew) {
  ThreadCandidates c;
  c.referenced = {conversation(3, kCustomer, {"order 42 missing", "where is my parcel"})};
  expect(decide_thread(reply("Re: Where is my parcel"), c, policy()), ThreadAction::join, 3, "references");
}

// Rule 4: a resolved conversation reopens within the window.
TEST(EmailThreading, AReplyToAResolvedConversationReopensItWithinTheWindow) {
  ThreadCandidates c;
  ConversationFacts done = conversation(3);
  done.resolved = true;
  done.last_activity = at_day(80);
  c.referenced = {done};
  expect(decide_thread(reply("Re: Order 42 missing"), c, policy(100)), ThreadAction::reopen, 3, "references");
  expect(decide_thread(reply("Re: Order 42 missing"), c, policy(110)), ThreadAction::reopen, 3, "references");
  expect(decide_thread(reply("Re: Order 42 missing"), c, policy(111)), ThreadAction::open_new, 0,
         "reopen_window_passed", 3);
}

TEST(EmailThreading, AZeroDayWindowNeverReopensAnOldConversation) {
  ThreadCandidates c;
  ConversationFacts done = conversation(3);
  done.resolved = true;
  c.addressed = done;
  ThreadPolicy p = policy();
  p.reopen_window = std::chrono::days(0);
  expect(decide_thread(reply("Re: Order 42 missing", {}), c, p), ThreadAction::open_new, 0, "reopen_window_passed", 3);
}

TEST(EmailThreading, ANewTopicOnAResolvedConversationIsANewConversationToo) {
  ThreadCandidates c;
  ConversationFacts done = conversation(3);
  done.resolved = true;
  c.referenced = {done};
  expect(decide_thread(reply("Another question"), c, policy()), ThreadAction::open_new, 0, "new_topic", 3);
}

// Rule 5: robots and our own mail never open conversations.
TEST(EmailThreading, AutoRepliesAndBouncesAreNotesOnTheConversationTheyAnswer) {
  MailFacts away = reply("Automatic reply: Order 42 missing");
  away.auto_reply = true;
  ThreadCandidates c;
  c.referenced = {conversation(3)};
  expect(decide_thread(away, c, policy()), ThreadAction::note, 3, "auto_reply");

  MailFacts bounce = reply("Undelivered Mail Returned to Sender", {});
  bounce.sender = "mailer-daemon@mx.mail.example";
  bounce.bounce = true;
  bounce.auto_reply = true;
  ThreadCandidates addressed;
  addressed.addressed = conversation(8);
  expect(decide_thread(bounce, addressed, policy()), ThreadAction::note, 8, "bounce");
}

TEST(EmailThreading, AutoRepliesThatAnswerNothingAreDropped) {
  MailFacts away = reply("Out of office", {});
  away.auto_reply = true;
  ThreadCandidates c;
  c.open_of_sender = {conversation(3)};  // never joined by subject either
  expect(decide_thread(away, c, policy()), ThreadAction::drop, 0, "auto_reply");
}

TEST(EmailThreading, MailFromOurOwnAddressIsDroppedInAnyPlusForm) {
  ThreadCandidates c;
  c.referenced = {conversation(3)};
  for (const char* own : {"support@shop.example", "SUPPORT@shop.example", "support+3-abcdef@shop.example"}) {
    MailFacts m = reply("Re: Order 42 missing");
    m.sender = own;
    expect(decide_thread(m, c, policy()), ThreadAction::drop, 0, "own_address");
  }
}

TEST(EmailThreading, OwnAddressNeedsTheSameMailboxAndDomain) {
  EXPECT_TRUE(is_own_address("support+x@shop.example", "support@shop.example"));
  EXPECT_FALSE(is_own_address("supporter@shop.example", "support@shop.example"));
  EXPECT_FALSE(is_own_address("support@shop.example.evil", "support@shop.example"));
  EXPECT_FALSE(is_own_address("support+x@other.example", "support@shop.example"));
  EXPECT_FALSE(is_own_address("", "support@shop.example"));
}

TEST(EmailThreading, AMailWithoutASenderIsDropped) {
  MailFacts m = reply("Hello", {});
  m.sender.clear();
  expect(decide_thread(m, {}, policy()), ThreadAction::drop, 0, "no_sender");
}

// A mail that answers nothing.
TEST(EmailThreading, AFreshMailJoinsTheSendersOpenConversationOnTheSameTopic) {
  ThreadCandidates c;
  c.open_of_sender = {conversation(4, kCustomer, {"invoice"}), conversation(3)};
  expect(decide_thread(reply("ORDER 42 missing", {}), c, policy()), ThreadAction::join, 3, "subject");
}

TEST(EmailThreading, AFreshMailOnANewSubjectOpensANewConversation) {
  ThreadCandidates c;
  c.open_of_sender = {conversation(3)};
  expect(decide_thread(reply("A different question", {}), c, policy()), ThreadAction::open_new, 0, "new_mail");
  expect(decide_thread(reply("First mail ever", {}), {}, policy()), ThreadAction::open_new, 0, "new_mail");
}

TEST(EmailThreading, AFreshMailWithoutSubjectJoinsTheLatestOpenConversation) {
  ThreadCandidates c;
  c.open_of_sender = {conversation(4, kCustomer, {"invoice"}), conversation(3)};
  expect(decide_thread(reply("", {}), c, policy()), ThreadAction::join, 4, "subject");
}

TEST(EmailThreading, MailFactsComeFromTheNormalizedMail) {
  const std::string raw =
      "From: Li Lei <Li.Lei@Mail.Example>\r\n"
      "To: Support <support+3-abc@shop.example>, other@mail.example\r\n"
      "Cc: Boss <BOSS@mail.example>\r\n"
      "Subject: =?UTF-8?B?5Zue5aSNOiDorqLljZU=?=\r\n"
      "Message-ID: <r2@mail.example>\r\n"
      "In-Reply-To: <og.9.x@shop.example>\r\n"
      "References: <c1@mail.example> <og.7.y@shop.example> <og.9.x@shop.example>\r\n"
      "\r\n"
      "thanks\r\n";
  MailFacts f = mail_facts(normalize(parse_email(raw), 1));
  EXPECT_EQ(f.message_id, "r2@mail.example");
  EXPECT_EQ(f.sender, "li.lei@mail.example");
  EXPECT_EQ(f.subject, "回复: 订单");
  EXPECT_EQ(f.references, (std::vector<std::string>{"og.9.x@shop.example", "og.7.y@shop.example", "c1@mail.example"}));
  EXPECT_EQ(f.recipients,
            (std::vector<std::string>{"support+3-abc@shop.example", "other@mail.example", "boss@mail.example"}));
  EXPECT_FALSE(f.auto_reply);
  EXPECT_FALSE(f.bounce);
}

TEST(EmailThreading, MailFactsKnowAutoReplies) {
  const std::string raw =
      "From: li.lei@mail.example\r\n"
      "To: support@shop.example\r\n"
      "Subject: Out of office\r\n"
      "Auto-Submitted: auto-replied\r\n"
      "Message-ID: <away@mail.example>\r\n"
      "\r\n"
      "I am away.\r\n";
  MailFacts f = mail_facts(normalize(parse_email(raw), 1));
  EXPECT_TRUE(f.auto_reply);
  EXPECT_TRUE(f.references.empty());
}

}  // namespace
