#include "adapters/email/normalize.h"

#include <gtest/gtest.h>

#include "adapters/common/crypto.h"
#include "schema/json.h"

namespace omnigate::adapters::email {
namespace {

ParsedEmail sample() {
  ParsedEmail m;
  m.message_id = "abc@x.test";
  m.in_reply_to = "prev@omnigate.test";
  m.references = {"first@omnigate.test", "prev@omnigate.test"};
  m.from = {{"张三", "Zhang.San@X.Test"}};
  m.to = {{"Support", "support@omnigate.test"}};
  m.cc = {{"", "boss@x.test"}};
  m.subject = "Re: 订单";
  m.date = schema::parse_timestamp("2024-03-05T02:12:33Z");
  m.text = "new\n\n> old";
  m.text_without_quote = "new";
  m.html = "<p>new</p>";
  m.raw_sha256 = std::string(64, 'a');
  return m;
}

TEST(Normalize, MessageFields) {
  schema::Message msg = normalize(sample(), 9);
  EXPECT_EQ(msg.direction, schema::Direction::in);
  EXPECT_EQ(msg.channel_id, 9);
  EXPECT_EQ(msg.sender.type, schema::SenderType::contact);
  EXPECT_EQ(msg.sender.id, "zhang.san@x.test");
  EXPECT_EQ(msg.sender.name, "张三");
  EXPECT_EQ(msg.external_id, "abc@x.test");
  EXPECT_EQ(msg.channel_timestamp, schema::parse_timestamp("2024-03-05T02:12:33Z"));
  ASSERT_EQ(msg.parts.size(), 1u);
  EXPECT_EQ(msg.parts[0].type, schema::PartType::text);
  EXPECT_EQ(msg.parts[0].text, "new");
}

TEST(Normalize, Metadata) {
  Json::Value e = normalize(sample()).metadata["email"];
  EXPECT_EQ(e["message_id"].asString(), "abc@x.test");
  EXPECT_EQ(e["in_reply_to"].asString(), "prev@omnigate.test");
  EXPECT_EQ(e["references"].size(), 2u);
  EXPECT_EQ(e["references"][1].asString(), "prev@omnigate.test");
  EXPECT_EQ(e["subject"].asString(), "Re: 订单");
  EXPECT_EQ(e["from"]["address"].asString(), "Zhang.San@X.Test");
  EXPECT_EQ(e["to"][0]["name"].asString(), "Support");
  EXPECT_FALSE(e["cc"][0].isMember("name"));
  EXPECT_EQ(e["full_text"].asString(), "new\n\n> old");
  EXPECT_TRUE(e["has_html"].asBool());
  EXPECT_TRUE(e["problems"].isArray());
  EXPECT_FALSE(e["auto_reply"].asBool());
  EXPECT_FALSE(e["bounce"].asBool());
}

TEST(Normalize, FallbacksForMissingMessageIdFromAndStrippedText) {
  ParsedEmail m = sample();
  m.message_id.clear();
  m.from.clear();
  m.reply_to = {{"Reply", "Reply@X.test"}};
  m.text_without_quote.clear();
  schema::Message msg = normalize(m);
  EXPECT_EQ(msg.external_id, "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(msg.sender.id, "reply@x.test");
  EXPECT_EQ(msg.parts[0].text, "new\n\n> old");
}

TEST(Normalize, AttachmentParts) {
  ParsedEmail m = sample();
  Attachment img;
  img.filename = "photo.png";
  img.content_type = "image/png";
  img.content_id = "p1@x.test";
  img.is_inline = true;
  img.bytes = "PNGDATA";
  img.size = img.bytes.size();
  Attachment big;
  big.content_type = "application/zip";
  big.size = 1 << 30;
  big.bytes_dropped = true;
  m.attachments = {img, big};
  schema::Message msg = normalize(m);
  ASSERT_EQ(msg.parts.size(), 3u);
  const schema::Part& p = msg.parts[1];
  EXPECT_EQ(p.type, schema::PartType::image);
  EXPECT_EQ(p.name, "photo.png");
  EXPECT_EQ(p.mime_type, "image/png");
  EXPECT_EQ(p.size, 7);
  EXPECT_EQ(p.extra["sha256"].asString(), crypto::to_hex(crypto::sha256("PNGDATA")));
  EXPECT_EQ(p.extra["content_id"].asString(), "p1@x.test");
  EXPECT_TRUE(p.extra["inline"].asBool());
  const schema::Part& z = msg.parts[2];
  EXPECT_EQ(z.type, schema::PartType::file);
  EXPECT_EQ(z.name, "attachment-2");
  EXPECT_EQ(z.size, 1 << 30);
  EXPECT_FALSE(z.extra.isMember("sha256"));
  EXPECT_TRUE(z.extra["bytes_dropped"].asBool());
}

TEST(Normalize, AttachmentsOnlyMailHasNoEmptyTextPart) {
  ParsedEmail m = sample();
  m.text.clear();
  m.text_without_quote.clear();
  Attachment a;
  a.filename = "a.pdf";
  a.content_type = "application/pdf";
  m.attachments = {a};
  EXPECT_EQ(normalize(m).parts.size(), 1u);
  m.attachments.clear();
  schema::Message empty = normalize(m);
  ASSERT_EQ(empty.parts.size(), 1u);  // a message always has a part
  EXPECT_EQ(empty.parts[0].type, schema::PartType::text);
}

TEST(Normalize, SurvivesTheModelsJsonRoundTrip) {
  ParsedEmail m = sample();
  m.problems = {"no Message-ID"};
  m.is_auto_reply = true;
  schema::Message msg = normalize(m);
  EXPECT_EQ(schema::message_from_json(schema::to_json(msg)), msg);
}

}  // namespace
}  // namespace omnigate::adapters::email
