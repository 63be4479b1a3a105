#include "adapters/email/subject.h"

#include <gtest/gtest.h>

namespace omnigate::adapters::email {
namespace {

TEST(Subject, ReplyPrefixesOfManyClientsAreStrippedButNotWordsThatStartAlike) {
  EXPECT_EQ(strip_reply_prefixes("Re: 订单"), "订单");
  EXPECT_EQ(strip_reply_prefixes("RE: re: Re:订单"), "订单");
  EXPECT_EQ(strip_reply_prefixes("回复: 答复：回覆: 订单"), "订单");
  EXPECT_EQ(strip_reply_prefixes("Re[2]: AW: SV: Antw: Order"), "Order");
  EXPECT_EQ(strip_reply_prefixes("Re (3): Order"), "Order");
  EXPECT_EQ(strip_reply_prefixes("  Re :  Order  "), "Order");
  EXPECT_EQ(strip_reply_prefixes("Request: refund"), "Request: refund");
  EXPECT_EQ(strip_reply_prefixes("Regarding my order"), "Regarding my order");
  EXPECT_EQ(strip_reply_prefixes("Re[abc]: x"), "Re[abc]: x");
  // A reply to a forward keeps the forward.
  EXPECT_EQ(strip_reply_prefixes("Re: Fwd: invoice"), "Fwd: invoice");
}

TEST(Subject, ReplySubjectNeverStacks) {
  EXPECT_EQ(reply_subject("我的快递到哪了？"), "Re: 我的快递到哪了？");
  EXPECT_EQ(reply_subject("Re: 回复: 我的快递到哪了？"), "Re: 我的快递到哪了？");
  EXPECT_EQ(reply_subject(reply_subject(reply_subject("Order 42"))), "Re: Order 42");
  EXPECT_EQ(reply_subject(""), "Re:");
  EXPECT_EQ(reply_subject("Re:"), "Re:");
}

TEST(Subject, TopicIgnoresPrefixesTagsCaseAndSpacing) {
  EXPECT_EQ(subject_topic("Re: [Ticket 42] FW:  Order   Late "), "order late");
  EXPECT_EQ(subject_topic("转发: 回复：订单 问题"), "订单 问题");
  EXPECT_EQ(subject_topic("Order late"), subject_topic("RE: re: order LATE"));
  EXPECT_NE(subject_topic("Order late"), subject_topic("Invoice missing"));
  EXPECT_EQ(subject_topic(""), "");
}

}  // namespace
}  // namespace omnigate::adapters::email
