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

workbench::Viewer agent_in(std::int64_t id, std::vector<std::int64_t> teams) { return {id, false, std::move(teams)}; }

TEST(Hub, RestrictedAgentsGetOnlyTheConversationsTheyMaySee) {
  Hub hub;
  auto ann = std::make_shared<Recorder>();    // agent 7 of team 1
  auto admin = std::make_shared<Recorder>();  // sees everything
  hub.add_agent(ann, agent_in(7, {1}));
  hub.add_agent(admin, workbench::Viewer{1, true, {}});
  hub.set_scope_resolver([](std::int64_t) {});
  hub.set_scope(1, {1, std::nullopt, std::nullopt});   // her team's
  hub.set_scope(2, {2, std::nullopt, std::nullopt});   // another team's
  hub.set_scope(3, {2, 7, std::nullopt});              // another team's, but hers
  hub.set_scope(4, {std::nullopt, 9, std::nullopt});   // no team: everyone's
  for (std::int64_t c = 1; c <= 4; ++c) hub.on_event({message(c, c)});
  EXPECT_EQ(ann->seqs, (std::vector<std::int64_t>{1, 3, 4}));
  EXPECT_EQ(admin->seqs, (std::vector<std::int64_t>{1, 2, 3, 4}));

  Json::Value typing;
  typing["type"] = "typing";
  typing["conversation"] = 2;
  hub.signal_agents(typing);
  EXPECT_EQ(ann->signals, 0);
  EXPECT_EQ(admin->signals, 1);
  hub.publish_to_agent(7, typing);
  EXPECT_EQ(ann->signals, 1);
  hub.publish_to_agents(typing, [](const workbench::Viewer& v) { return v.agent == 7; });
  EXPECT_EQ(ann->signals, 2);
  EXPECT_EQ(admin->signals, 1);  // the audience decides (callers' audiences let admins in via may_see)
}

TEST(Hub, MessagesOfAnUnknownScopeWaitInOrderForTheLookup) {
  Hub hub;
  auto ann = std::make_shared<Recorder>();
  auto bob = std::make_shared<Recorder>();
  auto admin = std::make_shared<Recorder>();
  hub.add_agent(ann, agent_in(7, {1}));
  hub.add_agent(bob, agent_in(8, {2}));
  hub.add_agent(admin, workbench::Viewer{1, true, {}});
  std::vector<std::int64_t> lookups;
  hub.set_scope_resolver([&](std::int64_t c) { lookups.push_back(c); });
  hub.on_event({message(5, 1)});
  hub.on_event({message(5, 2)});
  EXPECT_EQ(lookups, (std::vector<std::int64_t>{5}));  // one lookup for both
  EXPECT_EQ(admin->seqs, (std::vector<std::int64_t>{1, 2}));
  EXPECT_TRUE(ann->seqs.empty());
  hub.set_scope(5, {1, std::nullopt, std::nullopt});
  EXPECT_EQ(ann->seqs, (std::vector<std::int64_t>{1, 2}));
  EXPECT_TRUE(bob->seqs.empty());
  hub.on_event({message(5, 3)});
  EXPECT_EQ(ann->seqs, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(admin->seqs, (std::vector<std::int64_t>{1, 2, 3}));

  // Teams change: the socket follows.
  hub.update_viewer(agent_in(8, {1}));
  hub.on_event({message(5, 4)});
  EXPECT_EQ(bob->seqs, (std::vector<std::int64_t>{4}));
  // A failed lookup drops what was held for the restricted, nothing else.
  hub.on_event({message(6, 1)});
  hub.forget_scope(6);
  EXPECT_EQ(ann->seqs.back(), 4);
  EXPECT_EQ(admin->seqs.back(), 1);
}

}  // namespace
