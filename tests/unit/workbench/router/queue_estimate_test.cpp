#include <gtest/gtest.h>

#include <vector>

#include "router_fixtures.h"
#include "workbench/router/router.h"

namespace omnigate::workbench::router {
namespace {

using testing::at;
using testing::rules_from;
using testing::waiting;

std::vector<WaitingConversation> queue_of(int n) {
  std::vector<WaitingConversation> q;
  for (int i = 0; i < n; ++i) q.push_back(waiting(100 + i, at(i)));
  return q;
}

TEST(QueueEstimate, PositionFollowsTheServingOrder) {
  Router router;
  std::vector<WaitingConversation> q = queue_of(4);
  q.push_back(waiting(200, at(50)).vip());
  const ThroughputByTeam rate{{2.0, Seconds(0), 0}, {}};
  const std::vector<QueueEstimate> all = router.estimate_all(q, rate, at(60));
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[4], (QueueEstimate{200, 1, Seconds(30)}));  // VIP first
  EXPECT_EQ(all[0], (QueueEstimate{100, 2, Seconds(60)}));
  EXPECT_EQ(all[3], (QueueEstimate{103, 5, Seconds(150)}));
  for (const WaitingConversation& c : q) {
    const QueueEstimate one = router.estimate(c, q, rate, at(60));
    EXPECT_EQ(one, all[static_cast<std::size_t>(&c - q.data())]);
  }
}

TEST(QueueEstimate, WaitIsMonotonicInPosition) {
  Router router;
  const std::vector<WaitingConversation> q = queue_of(50);
  for (const Throughput& t : {Throughput{0.7, Seconds(0), 0}, Throughput{0, Seconds(300), 4},
                              Throughput{12, Seconds(200), 9}}) {
    const std::vector<QueueEstimate> all = router.estimate_all(q, {t, {}}, at(100));
    for (std::size_t i = 1; i < all.size(); ++i) {
      EXPECT_EQ(all[i].position, all[i - 1].position + 1);
      ASSERT_TRUE(all[i].wait && all[i - 1].wait);
      EXPECT_GE(*all[i].wait, *all[i - 1].wait);
    }
    EXPECT_GT(*all.back().wait, *all.front().wait);
  }
  // Without a rate: whole rounds of the handle time over the slots.
  const std::vector<QueueEstimate> rounds = router.estimate_all(q, {{0, Seconds(300), 4}, {}}, at(100));
  EXPECT_EQ(rounds[3].wait, Seconds(300));
  EXPECT_EQ(rounds[4].wait, Seconds(600));
}

TEST(QueueEstimate, UnknownWithoutHistory) {
  Router router;
  const std::vector<WaitingConversation> q = queue_of(3);
  EXPECT_EQ(router.estimate(q[2], q, {}, at(10)), (QueueEstimate{102, 3, std::nullopt}));
}

TEST(QueueEstimate, CountsOnlyConversationsCompetingForTheSameAgents) {
  Router router(rules_from(R"({"rules": [
      {"match": {"language": "zh"}, "targets": [{"team": 1, "skills": ["lang:{language}"]}]},
      {"match": {}, "targets": [{"team": 2}]}]})"),
                {{1, "China", std::nullopt}, {2, "World", std::nullopt}});
  std::vector<WaitingConversation> q{waiting(1, at(0)).attribute("language", "zh"), waiting(2, at(1)),
                                     waiting(3, at(2)).attribute("language", "zh"), waiting(4, at(3)),
                                     waiting(5, at(4)).channel("email")};
  ThroughputByTeam rate{{6, Seconds(0), 0}, {{1, {1, Seconds(0), 0}}}};
  const std::vector<QueueEstimate> all = router.estimate_all(q, rate, at(10));
  EXPECT_EQ(all[0], (QueueEstimate{1, 1, Seconds(60)}));  // team 1's own rate
  EXPECT_EQ(all[2], (QueueEstimate{3, 2, Seconds(120)}));
  EXPECT_EQ(all[1], (QueueEstimate{2, 1, Seconds(10)}));  // team 2: the overall rate
  EXPECT_EQ(all[3], (QueueEstimate{4, 2, Seconds(20)}));
  EXPECT_EQ(all[4].position, 1);  // email agents' slots are their own queue
}

TEST(QueueEstimate, FollowsTheTargetAfterTimeouts) {
  Router router(rules_from(R"({"default": {"targets": [{"skills": ["a"], "timeout_seconds": 60}, {}]}})"));
  std::vector<WaitingConversation> q{waiting(1, at(0)), waiting(2, at(100))};
  // At 110 the first has moved on to "everyone", where it is ahead of nobody;
  // the second is still on its first target.
  const std::vector<QueueEstimate> all = router.estimate_all(q, {}, at(110));
  EXPECT_EQ(all[0].position, 1);
  EXPECT_EQ(all[1].position, 1);
  const std::vector<QueueEstimate> later = router.estimate_all(q, {}, at(170));
  EXPECT_EQ(later[0].position, 1);
  EXPECT_EQ(later[1].position, 2);
}

}  // namespace
}  // namespace omnigate::workbench::router
