#include "adapters/email/mime_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "adapters/email/charset.h"

namespace omnigate::adapters::email {
namespace {

bool has_problem(const ParsedEmail& m, const std::string& part) {
  return std::any_of(m.problems.begin(), m.problems.end(),
                     [&](const std::string& p) { return p.find(part) != std::string::npos; });
}

std::string mail(const std::string& headers, const std::string& body) {
  return "From: A <a@x.test>\r\nTo: s@y.test\r\nSubject: t\r\nMessage-ID: <m1@x.test>\r\n" + headers + "\r\n" + body;
}

std::string with_attachments(size_t first, size_t second) {
  return mail("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n",
              "--b\r\nContent-Type: text/plain\r\n\r\nsee files\r\n"
              "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=one.bin\r\n\r\n" +
                  std::string(first, 'x') +
                  "\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=two.bin\r\n\r\n" +
                  std::string(second, 'y') + "\r\n--b--\r\n");
}

TEST(MimeParser, PerAttachmentLimitKeepsMetadataDropsBytes) {
  ParseLimits limits;
  limits.max_attachment_bytes = 100;
  ParsedEmail m = parse_email(with_attachments(50, 150), limits);
  ASSERT_EQ(m.attachments.size(), 2u);
  EXPECT_EQ(m.attachments[0].bytes, std::string(50, 'x'));
  EXPECT_FALSE(m.attachments[0].bytes_dropped);
  EXPECT_EQ(m.attachments[1].filename, "two.bin");
  EXPECT_EQ(m.attachments[1].size, 150u);
  EXPECT_TRUE(m.attachments[1].bytes_dropped);
  EXPECT_EQ(m.attachments[1].bytes, "");
  EXPECT_TRUE(has_problem(m, "per-attachment limit"));
}

TEST(MimeParser, TotalAttachmentLimit) {
  ParseLimits limits;
  limits.max_total_attachment_bytes = 120;
  ParsedEmail m = parse_email(with_attachments(100, 50), limits);
  ASSERT_EQ(m.attachments.size(), 2u);
  EXPECT_FALSE(m.attachments[0].bytes_dropped);
  EXPECT_TRUE(m.attachments[1].bytes_dropped);
  EXPECT_EQ(m.attachments[1].size, 50u);
  EXPECT_TRUE(has_problem(m, "total attachment limit"));
}

TEST(MimeParser, TextLimitCutsAtACharacterBoundary) {
  ParseLimits limits;
  limits.max_text_bytes = 10;
  ParsedEmail m = parse_email(mail("Content-Type: text/plain; charset=utf-8\r\n", "中文中文中文"), limits);
  EXPECT_EQ(m.text, "中文中");
  EXPECT_TRUE(has_problem(m, "text longer than"));
}

TEST(MimeParser, AlternativePrefersPlainAndKeepsHtml) {
  ParsedEmail m = parse_email(mail("Content-Type: multipart/alternative; boundary=a\r\n",
                                   "--a\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>rich <b>text</b></p>\r\n"
                                   "--a\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain text\r\n--a--\r\n"));
  EXPECT_EQ(m.text, "plain text");
  EXPECT_EQ(m.html, "<p>rich <b>text</b></p>");
  EXPECT_TRUE(m.attachments.empty());
}

TEST(MimeParser, AlternativeWithoutPlainUsesHtmlAsText) {
  ParsedEmail m = parse_email(mail("Content-Type: multipart/alternative; boundary=a\r\n",
                                   "--a\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>only <b>html</b></p>\r\n"
                                   "--a\r\nContent-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\n--a--\r\n"));
  EXPECT_EQ(m.text, "only html");
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].content_type, "text/calendar");
}

TEST(MimeParser, HtmlWithoutMimeCharsetUsesItsMetaCharset) {
  // "中文" in GBK, announced only by the <meta>.
  ParsedEmail m = parse_email(mail("Content-Type: text/html\r\n",
                                   "<html><head><meta charset=\"gbk\"></head><body>\xD6\xD0\xCE\xC4</body></html>"));
  EXPECT_EQ(m.text, "中文");
}

TEST(MimeParser, SplitTextPartsAreJoined) {
  // Apple Mail puts an inline image between two text/plain parts.
  ParsedEmail m = parse_email(mail("Content-Type: multipart/mixed; boundary=b\r\n",
                                   "--b\r\nContent-Type: text/plain\r\n\r\nbefore\r\n"
                                   "--b\r\nContent-Type: image/png\r\nContent-Disposition: inline; filename=a.png\r\n"
                                   "Content-Transfer-Encoding: base64\r\n\r\niVBORw==\r\n"
                                   "--b\r\nContent-Type: text/plain\r\n\r\nafter\r\n--b--\r\n"));
  EXPECT_EQ(m.text, "before\nafter");
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_TRUE(m.attachments[0].is_inline);
  EXPECT_EQ(m.attachments[0].bytes, std::string("\x89PNG", 4));
}

TEST(MimeParser, TextAttachmentIsNotBody) {
  ParsedEmail m = parse_email(mail("Content-Type: multipart/mixed; boundary=b\r\n",
                                   "--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
                                   "--b\r\nContent-Type: text/plain; charset=gbk\r\n"
                                   "Content-Disposition: attachment; filename=\"log.txt\"\r\n\r\n\xD6\xD0\r\n--b--\r\n"));
  EXPECT_EQ(m.text, "body");
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].filename, "log.txt");
  EXPECT_EQ(m.attachments[0].bytes, "\xD6\xD0");  // bytes as sent, never re-encoded
}

TEST(MimeParser, EmbeddedMessageBecomesAnEmlAttachment) {
  ParsedEmail m = parse_email(mail("Content-Type: multipart/mixed; boundary=b\r\n",
                                   "--b\r\nContent-Type: text/plain\r\n\r\nforwarding\r\n"
                                   "--b\r\nContent-Type: message/rfc822\r\n\r\n"
                                   "From: x@z.test\r\nSubject: =?UTF-8?B?5Y6f5Lu2?=\r\n\r\ninner body\r\n--b--\r\n"));
  EXPECT_EQ(m.text, "forwarding");
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].content_type, "message/rfc822");
  EXPECT_EQ(m.attachments[0].filename, "原件.eml");
  EXPECT_NE(m.attachments[0].bytes.find("inner body"), std::string::npos);
}

TEST(MimeParser, ThreadingIds) {
  ParsedEmail m = parse_email(mail("In-Reply-To: <b@x.test> (sent by a broken client)\r\n"
                                   "References: <a@x.test>\r\n  <b@x.test>\r\n",
                                   "x"));
  EXPECT_EQ(m.message_id, "m1@x.test");
  EXPECT_EQ(m.in_reply_to, "b@x.test");
  EXPECT_EQ(m.references, (std::vector<std::string>{"a@x.test", "b@x.test"}));
}

TEST(MimeParser, AddressesGroupsAndRaw8BitNames) {
  ParsedEmail m = parse_email(
      "From: \xE5\xBC\xA0\xE4\xB8\x89 <Zhang@X.test>\r\nTo: undisclosed-recipients:;\r\n"
      "Cc: team: a@x.test, \"B\" <b@x.test>;\r\nReply-To: =?UTF-8?Q?=E6=9D=8E?= <li@x.test>\r\n\r\nbody");
  ASSERT_EQ(m.from.size(), 1u);
  EXPECT_EQ(m.from[0].name, "张三");
  EXPECT_EQ(m.from[0].address, "Zhang@X.test");
  EXPECT_TRUE(m.to.empty());
  ASSERT_EQ(m.cc.size(), 2u);
  EXPECT_EQ(m.cc[1].name, "B");
  ASSERT_EQ(m.reply_to.size(), 1u);
  EXPECT_EQ(m.reply_to[0].name, "李");
}

TEST(MimeParser, RootContentTypeAndReportType) {
  ParsedEmail m = parse_email(mail("Content-Type: multipart/report; report-type=\"Delivery-Status\"; boundary=r\r\n",
                                   "--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--r--\r\n"));
  EXPECT_EQ(m.headers.report_type, "delivery-status");
  EXPECT_NE(m.headers.content_type.find("multipart/report"), std::string::npos);
  EXPECT_TRUE(m.is_bounce);
}

TEST(MimeParser, DateIsUtc) {
  ParsedEmail m = parse_email(mail("Date: Tue, 05 Mar 2024 10:12:33 +0800\r\n", "x"));
  ASSERT_TRUE(m.date);
  EXPECT_EQ(schema::format_timestamp(*m.date), "2024-03-05T02:12:33.000000Z");
}

TEST(MimeParser, EmptyAndGarbageInputNeverThrow) {
  ParsedEmail empty = parse_email("");
  EXPECT_FALSE(empty.problems.empty());
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919) % 256);
  ParsedEmail g = parse_email(garbage);
  EXPECT_TRUE(is_valid_utf8(g.text));
  EXPECT_TRUE(is_valid_utf8(g.subject));
  for (const std::string& p : g.problems) EXPECT_TRUE(is_valid_utf8(p));
}

TEST(MimeParser, EightBitBytesInStructuredHeadersStayValidUtf8) {
  // Found by email_fuzz: a mangled Content-Type reached the model as is.
  ParsedEmail m = parse_email(mail("Content-Type: multipart/mixed; boundary=b\r\n",
                                   "--b\r\nContent-Type: appl\xFFica\xC3tion/p\xE4\xB8" "df; name=\"\xFE.pdf\"\r\n"
                                   "Content-ID: <\xFF@x>\r\n\r\ndata\r\n--b--\r\n"));
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_TRUE(is_valid_utf8(m.attachments[0].content_type));
  EXPECT_TRUE(is_valid_utf8(m.attachments[0].filename));
  EXPECT_TRUE(is_valid_utf8(m.attachments[0].content_id));
  EXPECT_TRUE(is_valid_utf8(m.headers.content_type));
}

TEST(MimeParser, DeepNestingIsBounded) {
  std::string body, headers = "Content-Type: multipart/mixed; boundary=b0\r\n";
  for (int i = 1; i < 60; ++i)
    body += "--b" + std::to_string(i - 1) + "\r\nContent-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n";
  body += "--b59\r\nContent-Type: text/plain\r\n\r\ndeep\r\n";
  ParsedEmail m = parse_email(mail(headers, body));
  EXPECT_TRUE(has_problem(m, "nesting")) << ::testing::PrintToString(m.problems);
}

TEST(MimeParser, ConcurrentParsesAreIndependent) {
  std::vector<std::thread> threads;
  std::vector<std::string> subjects(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t, &subjects] {
      for (int i = 0; i < 50; ++i) {
        ParsedEmail m = parse_email("From: a@x.test\r\nSubject: =?GBK?B?1tDOxA==?= " + std::to_string(t) +
                                    "\r\nContent-Type: text/plain; charset=big5\r\n\r\n\xB0\x68\xB4\xDA");
        if (m.text != "退款") return;
        subjects[t] = m.subject;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(subjects[t], "中文 " + std::to_string(t));
}

}  // namespace
}  // namespace omnigate::adapters::email
