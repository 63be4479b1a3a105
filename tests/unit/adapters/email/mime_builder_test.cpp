#include "adapters/email/mime_builder.h"

#include <gtest/gtest.h>

#include <strings.h>

#include <sstream>

#include "adapters/email/mime_parser.h"

namespace omnigate::adapters::email {
namespace {

const std::string kChineseText =
    "李先生您好，\n\n您的订单 #42 已经发货，预计三天内送达。\n如有问题请直接回复本邮件。\n\n-- \n示例客服";

OutgoingMail sample() {
  OutgoingMail m;
  m.from = {"示例客服 Support", "support@example.com"};
  m.to = {{"李雷", "li.lei@example.net"}};
  m.reply_to = {{"示例客服 Support", "support+12-0123456789abcdef0123@example.com"}};
  m.subject = "Re: 我的快递到哪了？";
  m.message_id = "og.5.0123456789abcdef0123@example.com";
  m.in_reply_to = "CAF=abc@mail.gmail.com";
  m.references = {"first@mail.gmail.com", "og.3.ffffffffffffffffffff@example.com", "CAF=abc@mail.gmail.com"};
  m.date = *schema::parse_timestamp("2026-11-23T16:28:03Z");
  m.text = kChineseText;
  return m;
}

// The header block of a raw mail, unfolded, one "Name: value" per entry.
std::vector<std::string> headers_of(const std::string& raw) {
  std::vector<std::string> out;
  std::istringstream in(raw.substr(0, raw.find("\r\n\r\n") + 2));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !out.empty())
      out.back() += " " + line.substr(1);
    else if (!line.empty())
      out.push_back(line);
  }
  return out;
}

bool has_header(const std::string& raw, const std::string& name) {
  for (const std::string& h : headers_of(raw))
    if (h.size() > name.size() && h[name.size()] == ':' && strncasecmp(h.c_str(), name.c_str(), name.size()) == 0)
      return true;
  return false;
}

TEST(MimeBuilder, HeadersAndThreadingReadBack) {
  std::string raw = build_mime(sample());
  ParsedEmail p = parse_email(raw);
  EXPECT_TRUE(p.problems.empty()) << p.problems.front();
  ASSERT_EQ(p.from.size(), 1u);
  EXPECT_EQ(p.from[0], (Mailbox{"示例客服 Support", "support@example.com"}));
  ASSERT_EQ(p.to.size(), 1u);
  EXPECT_EQ(p.to[0], (Mailbox{"李雷", "li.lei@example.net"}));
  ASSERT_EQ(p.reply_to.size(), 1u);
  EXPECT_EQ(p.reply_to[0].address, "support+12-0123456789abcdef0123@example.com");
  EXPECT_EQ(p.subject, "Re: 我的快递到哪了？");
  EXPECT_EQ(p.message_id, "og.5.0123456789abcdef0123@example.com");
  EXPECT_EQ(p.in_reply_to, "CAF=abc@mail.gmail.com");
  EXPECT_EQ(p.references, sample().references);
  ASSERT_TRUE(p.date);
  EXPECT_EQ(*p.date, *schema::parse_timestamp("2026-11-23T16:28:03Z"));
  EXPECT_TRUE(has_header(raw, "MIME-Version"));
  EXPECT_TRUE(has_header(raw, "Date"));
}

TEST(MimeBuilder, AHumanReplyIsNotMarkedAutomatic) {
  std::string raw = build_mime(sample());
  EXPECT_FALSE(has_header(raw, "Auto-Submitted"));
  EXPECT_FALSE(has_header(raw, "Precedence"));
  ParsedEmail p = parse_email(raw);
  EXPECT_FALSE(p.is_auto_reply);
  EXPECT_FALSE(p.is_bounce);
}

TEST(MimeBuilder, ChineseBodyRoundTripsAsTextAndHtmlAlternatives) {
  std::string raw = build_mime(sample());
  EXPECT_NE(raw.find("Content-Type: multipart/alternative"), std::string::npos);
  EXPECT_EQ(raw.find("multipart/mixed"), std::string::npos);  // no attachments
  ParsedEmail p = parse_email(raw);
  EXPECT_EQ(p.text, kChineseText);
  EXPECT_NE(p.html.find("<p>您的订单 #42 已经发货，预计三天内送达。<br>"), std::string::npos);
  EXPECT_TRUE(p.attachments.empty());
}

TEST(MimeBuilder, TheWireFormIsSevenBitCrlfWithShortLines) {
  OutgoingMail m = sample();
  for (int i = 0; i < 15; ++i) m.references.push_back("ref" + std::to_string(i) + ".abcdefghijklmnop@mail.example.net");
  std::string raw = build_mime(m);
  size_t line_start = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    ASSERT_LT(c, 128u) << "8-bit byte at " << i;
    if (c == '\n') {
      ASSERT_GT(i, 0u);
      ASSERT_EQ(raw[i - 1], '\r') << "bare LF at " << i;
      EXPECT_LE(i - line_start, 200u) << "long line at " << line_start;  // SMTP allows 998; folding keeps far below
      line_start = i + 1;
    }
  }
  EXPECT_EQ(parse_email(raw).references.size(), m.references.size());
}

TEST(MimeBuilder, AttachmentsRoundTripWithTheirBytesAndUnicodeNames) {
  OutgoingMail m = sample();
  std::string pdf("%PDF-1.4\0\x01\x02\xff\xfe binary", 20);
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  m.attachments = {{"发票 2024年.pdf", "application/pdf", pdf},
                   {"photo.png", "image/png", png},
                   {"", "not a type", "plain bytes"}};
  std::string raw = build_mime(m);
  EXPECT_NE(raw.find("multipart/mixed"), std::string::npos);
  ParsedEmail p = parse_email(raw);
  EXPECT_TRUE(p.problems.empty());
  EXPECT_EQ(p.text, kChineseText);
  ASSERT_EQ(p.attachments.size(), 3u);
  EXPECT_EQ(p.attachments[0].filename, "发票 2024年.pdf");
  EXPECT_EQ(p.attachments[0].content_type, "application/pdf");
  EXPECT_EQ(p.attachments[0].bytes, pdf);
  EXPECT_FALSE(p.attachments[0].is_inline);
  EXPECT_EQ(p.attachments[1].filename, "photo.png");
  EXPECT_EQ(p.attachments[1].content_type, "image/png");
  EXPECT_EQ(p.attachments[1].bytes, png);
  EXPECT_EQ(p.attachments[2].content_type, "application/octet-stream");
  EXPECT_EQ(p.attachments[2].bytes, "plain bytes");
}

TEST(MimeBuilder, NoFieldCanAddAHeaderLine) {
  OutgoingMail m = sample();
  m.subject = "Order\r\nBcc: victim@example.org";
  m.to = {{"Li\r\nBcc: victim@example.org", "li.lei@example.net"}};
  m.from.name = "Support\nX-Injected: 1";
  std::string raw = build_mime(m);
  EXPECT_FALSE(has_header(raw, "Bcc"));
  EXPECT_FALSE(has_header(raw, "X-Injected"));
  ParsedEmail p = parse_email(raw);
  EXPECT_EQ(p.subject, "Order  Bcc: victim@example.org");
  ASSERT_EQ(p.to.size(), 1u);
  EXPECT_EQ(p.to[0].address, "li.lei@example.net");
}

TEST(MimeBuilder, InvalidUtf8IsReplacedNotSent) {
  OutgoingMail m = sample();
  m.text = "ok \xff\xfe end";
  m.subject = "bad \xc3";
  ParsedEmail p = parse_email(build_mime(m));
  EXPECT_EQ(p.text, "ok \xEF\xBF\xBD\xEF\xBF\xBD end");
  EXPECT_TRUE(p.subject.starts_with("bad "));
}

TEST(MimeBuilder, WithoutThreadingHeadersNoneAreWritten) {
  OutgoingMail m = sample();
  m.in_reply_to.clear();
  m.references.clear();
  m.reply_to.clear();
  std::string raw = build_mime(m);
  EXPECT_FALSE(has_header(raw, "In-Reply-To"));
  EXPECT_FALSE(has_header(raw, "References"));
  EXPECT_FALSE(has_header(raw, "Reply-To"));
}

}  // namespace
}  // namespace omnigate::adapters::email
