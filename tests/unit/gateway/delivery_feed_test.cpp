#include <gtest/gtest.h>

#include "gateway/realtime/delivery_feed.h"

using omnigate::gateway::realtime::DeliveryFeed;

namespace {

TEST(DeliveryFeed, MakesTheAgentsFrameFromTheOutboxNotice) {
  auto frame = DeliveryFeed::frame_of(
      R"({"message":42,"conversation":7,"seq":3,"status":"failed","error":"receiver answered 422"})");
  ASSERT_TRUE(frame);
  EXPECT_EQ((*frame)["type"].asString(), "message.updated");
  EXPECT_EQ((*frame)["conversation"].asInt64(), 7);
  const Json::Value& m = (*frame)["message"];
  EXPECT_EQ(m["id"].asInt64(), 42);
  EXPECT_EQ(m["conversation_id"].asInt64(), 7);
  EXPECT_EQ(m["seq"].asInt64(), 3);
  EXPECT_EQ(m["delivery_status"].asString(), "failed");
  EXPECT_EQ(m["delivery_error"].asString(), "receiver answered 422");
}

TEST(DeliveryFeed, LeavesAnEmptyErrorOut) {
  auto frame = DeliveryFeed::frame_of(R"({"message":42,"conversation":7,"seq":3,"status":"sent","error":""})");
  ASSERT_TRUE(frame);
  EXPECT_EQ((*frame)["message"]["delivery_status"].asString(), "sent");
  EXPECT_FALSE((*frame)["message"].isMember("delivery_error"));
}

TEST(DeliveryFeed, RefusesWhatIsNotANotice) {
  EXPECT_FALSE(DeliveryFeed::frame_of("not json"));
  EXPECT_FALSE(DeliveryFeed::frame_of(R"({"message":42,"conversation":7,"seq":3})"));
  EXPECT_FALSE(DeliveryFeed::frame_of(R"({"message":"42","conversation":7,"seq":3,"status":"sent"})"));
  EXPECT_FALSE(DeliveryFeed::frame_of(R"({"message":42,"conversation":7,"seq":3,"status":"<script>"})"));
}

}  // namespace
