#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "gateway/channel_cache.h"
#include "gateway/db/pool.h"
#include "gateway/outbox/dispatcher.h"
#include "gateway/store/channel_store.h"
#include "gateway/store/message_store.h"
#include "gateway/store/outbox_store.h"
#include "tests/support/test_database.h"

using namespace omnigate;

namespace {

struct Fixture {
  db::ConnectionPool pool{omnigate::testing::fresh_database(), 4};
  store::ChannelStore channels{pool};
  store::MessageStore messages{pool};
  store::OutboxStore outbox{pool};
  std::int64_t conversation = 0, channel = 0;

  Fixture() {
    schema::Channel ch;
    ch.name = "out";
    ch.token = "outbox-store-token";
    channel = channels.create(ch).id;
    schema::Message in;
    in.channel_id = channel;
    in.sender = {schema::SenderType::contact, "cust", "Customer"};
    in.parts.push_back(schema::Part{});
    conversation = messages.ingest({in})[0].message.conversation_id;
  }
  std::int64_t queue_reply(const std::string& text) {
    schema::Message m;
    m.channel_id = channel;
    m.conversation_id = conversation;
    m.direction = schema::Direction::out;
    m.sender = {schema::SenderType::agent, "1", "Agent"};
    m.delivery_status = schema::DeliveryStatus::pending;
    m.parts.push_back(schema::Part{});
    m.parts.back().text = text;
    return messages.ingest({m})[0].message.id;
  }
};

TEST(OutboxStore, StoringAPendingMessageQueuesIt) {
  Fixture f;
  EXPECT_EQ(f.outbox.pending_count(), 0);
  auto id = f.queue_reply("hi");
  EXPECT_EQ(f.outbox.pending_count(), 1);
  auto claimed = f.outbox.claim(10, std::chrono::seconds(60));
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].message.id, id);
  EXPECT_EQ(claimed[0].attempt, 1);
  EXPECT_EQ(claimed[0].recipient_id, "cust");
  EXPECT_EQ(claimed[0].recipient_name, "Customer");
  EXPECT_EQ(claimed[0].message.parts[0].text, "hi");
  // Leased: nobody else gets it meanwhile.
  EXPECT_TRUE(f.outbox.claim(10, std::chrono::seconds(60)).empty());
  EXPECT_TRUE(f.outbox.mark_sent(claimed[0], adapters::Delivery{adapters::Delivery::Outcome::sent, "wx-123", "", {}}));
  EXPECT_EQ(f.outbox.pending_count(), 0);
  auto history = f.messages.history(f.conversation, 0, 10);
  EXPECT_EQ(history.items.back().delivery_status, schema::DeliveryStatus::sent);
  EXPECT_EQ(history.items.back().metadata["delivery"]["external_id"].asString(), "wx-123");
}

TEST(OutboxStore, AnExpiredLeaseIsRetriedAndTheStaleOwnerCannotRecord) {
  Fixture f;
  f.queue_reply("lost in a crash");
  auto first = f.outbox.claim(10, std::chrono::seconds(1));
  ASSERT_EQ(first.size(), 1u);
  // The first dispatcher "dies"; after the lease another one takes the row.
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  auto second = f.outbox.claim(10, std::chrono::seconds(60));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].attempt, 2);
  EXPECT_FALSE(f.outbox.mark_failed(first[0], "stale"));
  EXPECT_TRUE(f.outbox.schedule_retry(second[0], "busy", std::chrono::milliseconds(10)));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto third = f.outbox.claim(10, std::chrono::seconds(60));
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].attempt, 3);
  EXPECT_EQ(third[0].message.delivery_error, "busy");
}

TEST(OutboxStore, ABatchOfSentIsMarkedInOneGoAndStaleRowsAreLeftAlone) {
  Fixture f;
  for (int i = 0; i < 5; ++i) f.queue_reply("b" + std::to_string(i));
  auto claimed = f.outbox.claim(10, std::chrono::seconds(1));
  ASSERT_EQ(claimed.size(), 5u);
  // Row 4's lease runs out and another dispatcher takes it: its first
  // delivery's record must not touch it.
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  auto retaken = f.outbox.claim(10, std::chrono::seconds(60));
  ASSERT_EQ(retaken.size(), 5u);  // every lease ran out; keep the others' attempts in step
  std::vector<store::OutboxStore::Sent> sent;
  for (int i = 0; i < 4; ++i) sent.push_back({&retaken[i], "wx-" + std::to_string(i)});
  sent.push_back({&claimed[4], "wx-stale"});
  std::vector<std::int64_t> marked = f.outbox.mark_all_sent(sent);
  std::set<std::int64_t> got(marked.begin(), marked.end());
  EXPECT_EQ(got.size(), 4u);
  EXPECT_FALSE(got.count(claimed[4].message.id)) << "the stale attempt's record was taken";
  EXPECT_EQ(f.outbox.pending_count(), 1);

  auto history = f.messages.history(f.conversation, 0, 10);
  int sent_rows = 0;
  for (const auto& m : history.items) {
    if (m.direction != schema::Direction::out) continue;
    if (m.id == claimed[4].message.id) {
      EXPECT_EQ(m.delivery_status, schema::DeliveryStatus::pending);
      continue;
    }
    ++sent_rows;
    EXPECT_EQ(m.delivery_status, schema::DeliveryStatus::sent);
    EXPECT_EQ(m.metadata["delivery"]["external_id"].asString().rfind("wx-", 0), 0u);
  }
  EXPECT_EQ(sent_rows, 4);
  EXPECT_TRUE(f.outbox.mark_all_sent({}).empty());
}

TEST(OutboxStore, TwoMessagesGivenOneChannelIdInABatchFailTheBatchNotTheOthers) {
  Fixture f;
  f.queue_reply("x");
  f.queue_reply("y");
  auto claimed = f.outbox.claim(10, std::chrono::seconds(60));
  ASSERT_EQ(claimed.size(), 2u);
  // The same channel id for both becomes both messages' external_id: the
  // unique index refuses the batch as a whole (the dispatcher then records
  // them one by one, and only the second fails).
  EXPECT_THROW(f.outbox.mark_all_sent({{&claimed[0], "same"}, {&claimed[1], "same"}}), db::PgError);
  EXPECT_EQ(f.outbox.pending_count(), 2) << "nothing of a failed batch is recorded";
  EXPECT_TRUE(f.outbox.mark_sent(claimed[0], adapters::Delivery{adapters::Delivery::Outcome::sent, "same", "", {}}));
  EXPECT_TRUE(f.outbox.mark_sent(claimed[1], adapters::Delivery{adapters::Delivery::Outcome::sent, "same", "", {}}))
      << "the id is taken, so the second keeps its own external_id and is still marked";
  EXPECT_EQ(f.outbox.pending_count(), 0);
}

TEST(OutboxStore, ConcurrentClaimsNeverShareARow) {
  Fixture f;
  for (int i = 0; i < 60; ++i) f.queue_reply("m" + std::to_string(i));
  std::vector<std::vector<adapters::Outbound>> got(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&, t] {
      for (int k = 0; k < 10; ++k) {
        auto c = f.outbox.claim(4, std::chrono::seconds(60));
        got[t].insert(got[t].end(), c.begin(), c.end());
      }
    });
  for (auto& t : threads) t.join();
  std::set<std::int64_t> ids;
  size_t total = 0;
  for (const auto& g : got)
    for (const auto& o : g) {
      ids.insert(o.message.id);
      ++total;
    }
  EXPECT_EQ(total, 60u);
  EXPECT_EQ(ids.size(), 60u);
}

// A channel that takes `latency` per message and counts what it was sent.
class CountingAdapter : public adapters::Adapter {
 public:
  CountingAdapter(schema::ChannelType type, std::chrono::milliseconds latency) : type_(type), latency_(latency) {}
  schema::ChannelType type() const override { return type_; }
  void configure(schema::Channel&) const override {}
  adapters::Ingest ingest(const schema::Channel&, const adapters::InboundRequest&) const override { return {}; }
  adapters::Delivery deliver(const schema::Channel&, const adapters::Outbound& o) const override {
    std::this_thread::sleep_for(latency_);
    std::lock_guard lk(mu_);
    ++sends_[o.message.id];
    return {};
  }
  std::map<std::int64_t, int> sends() const {
    std::lock_guard lk(mu_);
    return sends_;
  }

 private:
  schema::ChannelType type_;
  std::chrono::milliseconds latency_;
  mutable std::mutex mu_;
  mutable std::map<std::int64_t, int> sends_;
};

// Runs a dispatcher over the fixture's outbox until it is empty (or the
// deadline), then stops it; returns what the channel was sent.
std::map<std::int64_t, int> drain(Fixture& f, std::chrono::milliseconds latency, gateway::Dispatcher::Options o,
                                  std::atomic<int>& recorded, std::chrono::seconds deadline) {
  auto type = f.channels.get(f.channel)->type;
  adapters::Registry registry;
  auto adapter = std::make_unique<CountingAdapter>(type, latency);
  const CountingAdapter* counting = adapter.get();
  registry.add(std::move(adapter));
  gateway::ChannelCache cache(f.channels, std::chrono::seconds(5));
  gateway::Dispatcher d(f.outbox, cache, registry, o,
                        [&](const adapters::Outbound&, const adapters::Delivery&) { ++recorded; });
  d.start();
  auto until = std::chrono::steady_clock::now() + deadline;
  while (f.outbox.pending_count() > 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  d.stop();
  return counting->sends();
}

TEST(Dispatcher, ManyWorkersSendEachMessageOnceAndRecordEveryOutcome) {
  Fixture f;
  for (int i = 0; i < 300; ++i) f.queue_reply("p" + std::to_string(i));
  gateway::Dispatcher::Options o;
  o.workers = 8;
  o.claim_batch = 16;
  std::atomic<int> recorded{0};
  auto sends = drain(f, std::chrono::milliseconds(2), o, recorded, std::chrono::seconds(30));
  EXPECT_EQ(f.outbox.pending_count(), 0);
  EXPECT_EQ(sends.size(), 300u);
  for (const auto& [id, n] : sends) EXPECT_EQ(n, 1) << "message " << id;
  EXPECT_EQ(recorded.load(), 300);
  db::PgConnection c(f.pool.conninfo());
  EXPECT_EQ(c.exec("SELECT count(*) FROM messages WHERE delivery_status = 'sent'").int64(0, 0), 300);
}

TEST(Dispatcher, AMessageThatWaitedHalfItsLeaseIsLeftForTheNextClaimNotSentTwice) {
  Fixture f;
  for (int i = 0; i < 6; ++i) f.queue_reply("slow" + std::to_string(i));
  // One sender, 600 ms a message, a 2 s lease: the fourth message would
  // start at 1.8 s and still be going out when its lease ends at 2 s.
  gateway::Dispatcher::Options o;
  o.workers = 1;
  o.claim_batch = 8;
  o.lease = std::chrono::seconds(2);
  std::atomic<int> recorded{0};
  auto sends = drain(f, std::chrono::milliseconds(600), o, recorded, std::chrono::seconds(30));
  EXPECT_EQ(f.outbox.pending_count(), 0);
  EXPECT_EQ(sends.size(), 6u);
  for (const auto& [id, n] : sends) EXPECT_EQ(n, 1) << "message " << id << " sent " << n << " times";
  EXPECT_EQ(recorded.load(), 6);
}

TEST(Dispatcher, StoppingFinishesTheSendInHandAndGivesTheRestBackAtOnce) {
  Fixture f;
  for (int i = 0; i < 10; ++i) f.queue_reply("stop" + std::to_string(i));
  auto type = f.channels.get(f.channel)->type;
  adapters::Registry registry;
  auto adapter = std::make_unique<CountingAdapter>(type, std::chrono::milliseconds(800));
  const CountingAdapter* counting = adapter.get();
  registry.add(std::move(adapter));
  gateway::ChannelCache cache(f.channels, std::chrono::seconds(5));
  gateway::Dispatcher::Options o;
  o.workers = 1;
  o.claim_batch = 16;
  o.lease = std::chrono::seconds(60);
  gateway::Dispatcher d(f.outbox, cache, registry, o);
  d.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // all ten claimed, the first being sent
  auto stopping = std::chrono::steady_clock::now();
  d.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::seconds(3))
      << "stop waits for the send in hand, not for the claimed queue";
  ASSERT_EQ(counting->sends().size(), 1u);
  EXPECT_EQ(f.outbox.pending_count(), 9);
  // Given back: due now, not after the 60 s lease, and not counted as tried.
  auto again = f.outbox.claim(20, std::chrono::seconds(60));
  ASSERT_EQ(again.size(), 9u);
  for (const auto& item : again) EXPECT_EQ(item.attempt, 1) << "message " << item.message.id;
}

TEST(Dispatcher, BackoffGrowsWithJitterUpToTheCap) {
  gateway::Dispatcher::Options o;
  o.backoff_base = std::chrono::milliseconds(1000);
  o.backoff_cap = std::chrono::milliseconds(8000);
  for (int i = 0; i < 50; ++i) {
    auto first = gateway::Dispatcher::backoff(o, 1).count();
    EXPECT_GE(first, 500);
    EXPECT_LE(first, 1000);
    auto third = gateway::Dispatcher::backoff(o, 3).count();
    EXPECT_GE(third, 2000);
    EXPECT_LE(third, 4000);
    auto late = gateway::Dispatcher::backoff(o, 30).count();
    EXPECT_GE(late, 4000);
    EXPECT_LE(late, 8000);
  }
}

}  // namespace
