#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "gateway/realtime/hub.h"

using namespace omnigate;
using namespace omnigate::gateway::realtime;

namespace {

struct Recorder : Subscriber {
  std::vector<std::int64_t> seqs;
  int signals = 0;
  std::vector<std::string> order;  // "m<seq>" for messages, the frame's type for signals
  void push(const schema::Message& m) override {
    seqs.push_back(m.seq);
    order.push_back("m" + std::to_string(m.seq));
  }
  void push_signal(const Json::Value& frame) override {
    ++signals;
    order.push_back(frame["type"].asString());
  }
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

TEST(Hub, FramesAboutAConversationWaitBehindItsMessagesAndReachOnlyWhoMaySeeIt) {
  Hub hub;
  auto ann = std::make_shared<Recorder>();
  auto bob = std::make_shared<Recorder>();
  auto admin = std::make_shared<Recorder>();
  hub.add_agent(ann, agent_in(7, {1}));
  hub.add_agent(bob, agent_in(8, {2}));
  hub.add_agent(admin, workbench::Viewer{1, true, {}});
  std::vector<std::int64_t> lookups;
  hub.set_scope_resolver([&](std::int64_t c) { lookups.push_back(c); });
  Json::Value updated(Json::objectValue);
  updated["type"] = "message.updated";
  updated["conversation"] = 5;

  // Unknown scope: the frame is held behind the message it is about.
  hub.on_event({message(5, 1)});
  hub.publish_about_conversation(5, updated);
  EXPECT_EQ(lookups, (std::vector<std::int64_t>{5}));
  EXPECT_EQ(admin->order, (std::vector<std::string>{"m1", "message.updated"}));
  EXPECT_TRUE(ann->order.empty());
  hub.set_scope(5, {1, std::nullopt, std::nullopt});
  EXPECT_EQ(ann->order, (std::vector<std::string>{"m1", "message.updated"}));
  EXPECT_TRUE(bob->order.empty());

  // Known scope: at once, to who may see it.
  hub.publish_about_conversation(5, updated);
  EXPECT_EQ(ann->signals, 2);
  EXPECT_EQ(admin->signals, 2);
  EXPECT_EQ(bob->signals, 0);

  // A frame alone may start the lookup too; a failed one drops it for the restricted.
  hub.publish_about_conversation(6, updated);
  EXPECT_EQ(lookups, (std::vector<std::int64_t>{5, 6}));
  hub.forget_scope(6);
  EXPECT_EQ(ann->signals, 2);
  EXPECT_EQ(admin->signals, 3);
}

}  // namespace

// A session can lose its last owner while the hub is pushing to it (the
// socket closed meanwhile), and a session's destructor prunes the hub. That
// destructor must not run under the hub's lock: it used to deadlock there.
TEST(Hub, ASubscriberReleasedDuringAPushIsDestroyedOutsideTheLock) {
  struct SelfReleasing : Subscriber {
    Hub& hub;
    std::shared_ptr<Subscriber>& owner;
    std::atomic<bool>& destroyed;
    SelfReleasing(Hub& h, std::shared_ptr<Subscriber>& o, std::atomic<bool>& d) : hub(h), owner(o), destroyed(d) {}
    ~SelfReleasing() override {
      hub.prune({1});
      destroyed = true;
    }
    void push(const schema::Message&) override { owner.reset(); }
    void push_signal(const Json::Value&) override { owner.reset(); }
  };
  // Leaked on purpose if the push deadlocks: the stuck thread still uses them.
  auto* hub = new Hub();
  auto* owner = new std::shared_ptr<Subscriber>();
  auto* destroyed = new std::atomic<bool>(false);
  *owner = std::make_shared<SelfReleasing>(*hub, *owner, *destroyed);
  hub->follow(1, *owner);
  std::promise<void> done;
  auto finished = done.get_future();
  std::thread([&done, hub] {
    Json::Value frame;
    frame["type"] = "typing";
    hub->signal_visitors(1, frame);
    done.set_value();
  }).detach();
  ASSERT_EQ(finished.wait_for(std::chrono::seconds(5)), std::future_status::ready) << "the hub deadlocked";
  EXPECT_TRUE(destroyed->load());
  EXPECT_EQ(hub->followed_conversations(), 0u);
  delete hub;
  delete owner;
  delete destroyed;
}
