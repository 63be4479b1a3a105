#include "adapters/email/reply_composer.h"

#include <gtest/gtest.h>

#include <map>

#include "adapters/email/mime_parser.h"
#include "adapters/email/normalize.h"
#include "adapters/email/thread_ids.h"

namespace omnigate::adapters::email {
namespace {

schema::Channel channel() {
  schema::Channel c;
  c.id = 3;
  c.type = schema::ChannelType::email;
  c.config["address"] = "support@example.com";
  c.config["display_name"] = "示例客服";
  c.secrets["signing_secret"] = "signing-secret-for-tests";
  return c;
}

// The customer's mail as email-in stores it: the parser and normalize().
schema::Message stored_customer_mail() {
  std::string raw =
      "From: =?UTF-8?B?5p2O6Zu3?= <Li.Lei@Example.net>\r\n"
      "To: support@example.com\r\n"
      "Subject: =?UTF-8?B?5Zue5aSNOiDmiJHnmoTlv6vpgJLliLDlk6rkuobvvJ8=?=\r\n"  // 回复: 我的快递到哪了？
      "Message-ID: <CAF+second@mail.example.net>\r\n"
      "In-Reply-To: <og.7.0000@example.com>\r\n"
      "References: <CAF+first@mail.example.net> <og.7.0000@example.com>\r\n"
      "Date: Mon, 23 Nov 2026 08:00:00 +0800\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "\r\n"
      "还没收到。\r\n";
  schema::Message m = normalize(parse_email(raw), 3);
  m.id = 8;
  m.conversation_id = 12;
  return m;
}

Outbound reply(std::vector<schema::Part> parts) {
  Outbound o;
  o.message.id = 9;
  o.message.conversation_id = 12;
  o.message.channel_id = 3;
  o.message.direction = schema::Direction::out;
  o.message.created_at = *schema::parse_timestamp("2026-11-23T01:00:00Z");
  o.message.parts = std::move(parts);
  o.recipient_id = "li.lei@example.net";
  o.recipient_name = "李雷";
  o.thread = {stored_customer_mail()};
  return o;
}

schema::Part text(const std::string& t) {
  schema::Part p;
  p.text = t;
  return p;
}

schema::Part file(const std::string& name, const std::string& mime, const std::string& url = "") {
  schema::Part p;
  p.type = mime.starts_with("image/") ? schema::PartType::image : schema::PartType::file;
  p.name = name;
  p.mime_type = mime;
  p.url = url;
  p.media_id = name;
  return p;
}

class MapSource : public AttachmentSource {
 public:
  std::map<std::string, std::string> bytes;
  std::optional<std::string> bytes_of(const schema::Part& part) const override {
    auto it = bytes.find(part.media_id);
    if (it == bytes.end()) return std::nullopt;
    return it->second;
  }
};

TEST(ReplyComposer, AnswersTheCustomersMailInItsThread) {
  OutgoingMail m = compose_reply(channel(), reply({text("已经在路上了，明天送达。")}));
  EXPECT_EQ(m.from, (Mailbox{"示例客服", "support@example.com"}));
  ASSERT_EQ(m.to.size(), 1u);
  EXPECT_EQ(m.to[0], (Mailbox{"李雷", "li.lei@example.net"}));
  EXPECT_EQ(m.subject, "Re: 我的快递到哪了？");
  EXPECT_EQ(m.in_reply_to, "CAF+second@mail.example.net");
  EXPECT_EQ(m.references,
            (std::vector<std::string>{"CAF+first@mail.example.net", "og.7.0000@example.com", "CAF+second@mail.example.net"}));
  EXPECT_EQ(m.message_id, our_message_id(channel(), 9));
  EXPECT_EQ(m.date, *schema::parse_timestamp("2026-11-23T01:00:00Z"));
  EXPECT_EQ(m.text, "已经在路上了，明天送达。");
  EXPECT_TRUE(m.attachments.empty());
}

TEST(ReplyComposer, ReplyToIsThePlusAddressOfTheConversation) {
  OutgoingMail m = compose_reply(channel(), reply({text("hi")}));
  ASSERT_EQ(m.reply_to.size(), 1u);
  EXPECT_EQ(m.reply_to[0].name, "示例客服");
  EXPECT_EQ(conversation_from_address(channel(), m.reply_to[0].address), 12);

  schema::Channel off = channel();
  off.config["plus_addressing"] = false;
  EXPECT_TRUE(compose_reply(off, reply({text("hi")})).reply_to.empty());
}

TEST(ReplyComposer, ARetryComposesTheSameIdentity) {
  Outbound first = reply({text("hi")});
  Outbound again = first;
  again.attempt = 3;
  OutgoingMail a = compose_reply(channel(), first), b = compose_reply(channel(), again);
  EXPECT_EQ(a.message_id, b.message_id);
  EXPECT_EQ(a.date, b.date);
}

TEST(ReplyComposer, FilesWithBytesAreAttachedOthersLinkedOrRefused) {
  MapSource source;
  source.bytes["invoice"] = std::string("%PDF\0bytes", 10);
  Outbound o = reply({text("请查收发票。"), file("invoice", "application/pdf"),
                      file("manual.pdf", "application/pdf", "https://cdn.example.com/manual.pdf")});
  OutgoingMail m = compose_reply(channel(), o, &source);
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].filename, "invoice");
  EXPECT_EQ(m.attachments[0].content_type, "application/pdf");
  EXPECT_EQ(m.attachments[0].bytes, std::string("%PDF\0bytes", 10));
  EXPECT_EQ(m.text, "请查收发票。\n\nmanual.pdf: https://cdn.example.com/manual.pdf");

  // Without a source the file that has no url cannot be sent: say so.
  try {
    compose_reply(channel(), o);
    FAIL() << "expected AdapterError";
  } catch (const AdapterError& e) {
    EXPECT_EQ(e.code(), "bad_request");
    EXPECT_NE(std::string(e.what()).find("\"invoice\""), std::string::npos);
  }
}

TEST(ReplyComposer, LinksAndLocationsBecomeText) {
  schema::Part link;
  link.type = schema::PartType::link;
  link.title = "Tracking";
  link.url = "https://track.example.com/42";
  schema::Part where;
  where.type = schema::PartType::location;
  where.label = "上海市";
  where.latitude = 31.2304;
  where.longitude = 121.4737;
  schema::Part event;
  event.type = schema::PartType::event;
  event.event = "order.shipped";
  OutgoingMail m = compose_reply(channel(), reply({link, where, event}));
  EXPECT_EQ(m.text, "Tracking\nhttps://track.example.com/42\n\n上海市 (31.230400, 121.473700)");
}

TEST(ReplyComposer, WithoutACustomerMailTheSubjectNamesUs) {
  Outbound o = reply({text("hello")});
  o.thread.clear();
  OutgoingMail m = compose_reply(channel(), o);
  EXPECT_EQ(m.subject, "Message from 示例客服");
  EXPECT_EQ(m.in_reply_to, "");
  EXPECT_TRUE(m.references.empty());
}

TEST(ReplyComposer, WhatCannotBeSentIsAnError) {
  Outbound nothing = reply({});
  EXPECT_THROW(compose_reply(channel(), nothing), AdapterError);
  Outbound no_recipient = reply({text("hi")});
  no_recipient.recipient_id.clear();
  EXPECT_THROW(compose_reply(channel(), no_recipient), AdapterError);
  schema::Channel no_address = channel();
  no_address.config.removeMember("address");
  EXPECT_THROW(compose_reply(no_address, reply({text("hi")})), AdapterError);
  schema::Channel no_secret = channel();
  no_secret.secrets = Json::Value(Json::objectValue);
  EXPECT_THROW(compose_reply(no_secret, reply({text("hi")})), AdapterError);
}

}  // namespace
}  // namespace omnigate::adapters::email
