#include <gtest/gtest.h>

#include <vector>

#include "gateway/realtime/hub.h"

using namespace omnigate;
using namespace omnigate::gateway::realtime;

namespace {

struct Recorder : Subscriber {
  std::vector<std::int64_t> seqs;
  int signals = 0;
  void push(const schema::Message& m) override { seqs.push_back(m.seq); }
  void push_signal(const Json::Value&) override { ++signals; }
};

schema::Message message(std::int64_t conversation, std::int64_t seq, schema::Direction d = schema::Direction::out) {
  schema::Message m;
  m.conversation_id = conversation;
  m.seq = seq;
  m.direction = d;
  return m;
}

TEST(Hub, FollowersGetTheirConversationAndAgentsGetEverything) {
  Hub hub;
  auto visitor = std::make_shared<Recorder>();
  auto agent = std::make_shared<Recorder>();
  hub.follow(1, visitor);
  hub.follow(1, visitor);  // following twice is once
  hub.add_agent(agent);
  hub.on_event({message(1, 1)});
  hub.on_event({message(2, 1)});
  hub.on_event({message(1, 2, schema::Direction::note)});
  EXPECT_EQ(visitor->seqs, (std::vector<std::int64_t>{1}));  // not conversation 2, never a note
  EXPECT_EQ(agent->seqs.size(), 3u);
  Json::Value typing;
  typing["type"] = "typing";
  hub.signal_visitors(1, typing);
  hub.signal_visitors(2, typing);  // nobody follows 2
  hub.signal_agents(typing);
  EXPECT_EQ(visitor->signals, 1);
  EXPECT_EQ(agent->signals, 1);
}

TEST(Hub, ClosedSubscribersArePrunedWithoutWaitingForAnEvent) {
  Hub hub;
  auto a = std::make_shared<Recorder>();
  auto b = std::make_shared<Recorder>();
  hub.follow(7, a);
  hub.follow(8, b);
  EXPECT_EQ(hub.followed_conversations(), 2u);
  a.reset();
  hub.prune({7, 8});
  EXPECT_EQ(hub.followed_conversations(), 1u);  // 8 still has a live follower
  b.reset();
  hub.prune({8});
  EXPECT_EQ(hub.followed_conversations(), 0u);
}

}  // namespace
