#include "adapters/email/quote_stripper.h"

#include <gtest/gtest.h>

namespace omnigate::adapters::email {
namespace {

TEST(QuoteStripper, PlainTextIsUntouched) {
  EXPECT_EQ(strip_quote("Hello,\n\nmy order is late.\n"), "Hello,\n\nmy order is late.");
  EXPECT_EQ(strip_quote(""), "");
}

TEST(QuoteStripper, EnglishAttributionAndQuote) {
  EXPECT_EQ(strip_quote("Yes please.\n\nOn Mon, 4 Mar 2024 at 10:00, Support <s@x.test> wrote:\n> Shall we?\n> \n"),
            "Yes please.");
}

TEST(QuoteStripper, GmailAttributionWrappedOverTwoLines) {
  EXPECT_EQ(strip_quote("Thanks!\n\nOn Thu, Mar 14, 2024 at 10:12 AM Omnigate Support Team <\n"
                        "support@omnigate.test> wrote:\n\n> old\n"),
            "Thanks!");
}

TEST(QuoteStripper, ChineseAttributions) {
  EXPECT_EQ(strip_quote("好的\n\n在 2024年3月15日，19:30，客服 <s@x.test> 写道：\n> 旧内容\n"), "好的");
  EXPECT_EQ(strip_quote("好的\n\n2024年3月15日 周五 19:30，客服 <s@x.test> 写道:\n> 旧内容\n"), "好的");
  EXPECT_EQ(strip_quote("好的\n\n在 2024年3月15日，客服 寫道：\n> 舊內容\n"), "好的");
}

TEST(QuoteStripper, OutlookChineseHeaderBlockWithoutQuoteMarks) {
  EXPECT_EQ(strip_quote("收到\n\n发件人: 客服 <s@x.test>\n发送时间: 2024年3月13日 17:02\n收件人: 刘洋\n主题: 回复: 维修\n\n旧的正文\n"),
            "收到");
  // Full-width colons and Foxmail's 原始邮件 separator.
  EXPECT_EQ(strip_quote("收到\n------------------ 原始邮件 ------------------\n发件人：客服\n发送时间：2024年3月13日\n旧\n"),
            "收到");
}

TEST(QuoteStripper, OutlookSeparators) {
  EXPECT_EQ(strip_quote("Fine.\n\n-----Original Message-----\nFrom: A\nSent: today\nTo: B\nSubject: x\n\nold\n"),
            "Fine.");
  EXPECT_EQ(strip_quote("Fine.\n\n________________________________\nFrom: A <a@x.test>\nSent: today\n\nold\n"), "Fine.");
  EXPECT_EQ(strip_quote("Fine.\n________________________________\n\n发件人: A\n发送时间: 今天\n\n旧\n"), "Fine.");
  // Outlook's HTML rendering bolds the labels.
  EXPECT_EQ(strip_quote("Fine.\n\n*From:* A\n*Sent:* today\n*To:* B\n\nold"), "Fine.");
}

TEST(QuoteStripper, UnderscoresAloneAreNotASeparator) {
  EXPECT_EQ(strip_quote("Sign here:\n____________________\nName"), "Sign here:\n____________________\nName");
}

TEST(QuoteStripper, SingleFromLineIsNotAHeaderBlock) {
  EXPECT_EQ(strip_quote("From: my home address\nI moved."), "From: my home address\nI moved.");
}

TEST(QuoteStripper, Signature) {
  EXPECT_EQ(strip_quote("Please call me.\n-- \nJohn Smith\nACME Corp\n"), "Please call me.");
  EXPECT_EQ(strip_quote("Please call me.\n--\nJohn"), "Please call me.");
  EXPECT_EQ(strip_quote("Please call me.\n\nSent from my iPhone\n"), "Please call me.");
  EXPECT_EQ(strip_quote("请回电\n\n发自我的iPhone"), "请回电");
}

TEST(QuoteStripper, InterleavedAnswersAreKept) {
  EXPECT_EQ(strip_quote("On Mon, Support wrote:\n> What size?\nL please.\n> Which colour?\nBlue.\n"),
            "L please.\nBlue.");
}

TEST(QuoteStripper, LooseQuoteLinesAreDropped) {
  EXPECT_EQ(strip_quote("> earlier\nmy answer"), "my answer");
}

TEST(QuoteStripper, NeverStripsEverything) {
  EXPECT_EQ(strip_quote("> only a quote\n> nothing else\n"), "> only a quote\n> nothing else");
  EXPECT_EQ(strip_quote("On Mon, X wrote:\n> all quote"), "On Mon, X wrote:\n> all quote");
  EXPECT_EQ(strip_quote("-- \nsignature only"), "-- \nsignature only");
}

TEST(QuoteStripper, ForwardedMailIsKept) {
  std::string fwd = "FYI\n\n---------- Forwarded message ---------\nFrom: A <a@x.test>\nDate: Mon\nSubject: x\nTo: B\n\nbody";
  EXPECT_EQ(strip_quote(fwd), fwd);
}

TEST(QuoteStripper, CrLfAndOddLines) {
  EXPECT_EQ(strip_quote("Yes\r\n\r\nOn Mon, A <a@x.test> wrote:\r\n> q\r\n"), "Yes");
  EXPECT_NO_THROW(strip_quote("--\n--\n----\n-\n>\n\n"));
  EXPECT_NO_THROW(strip_quote(std::string(100000, '\n')));
  // Many interleaved attributions stay linear (this took minutes when quadratic).
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "On Mon, A wrote:\n> q\nanswer\n";
  EXPECT_EQ(strip_quote(many).substr(0, 14), "answer\nanswer\n");
}

}  // namespace
}  // namespace omnigate::adapters::email
