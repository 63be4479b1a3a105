#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "gateway/db/pool.h"
#include "gateway/store/channel_store.h"
#include "gateway/store/group_commit.h"
#include "tests/support/test_database.h"

using namespace omnigate;

namespace {

schema::Message inbound(std::int64_t channel_id, const std::string& contact, const std::string& external_id) {
  schema::Message m;
  m.channel_id = channel_id;
  m.sender = {schema::SenderType::contact, contact, ""};
  m.external_id = external_id;
  m.parts.push_back(schema::Part{});
  m.parts.back().text = "hi";
  return m;
}

struct Fixture {
  db::ConnectionPool pool{omnigate::testing::fresh_database(), 8};
  store::ChannelStore channels{pool};
  store::MessageStore messages{pool};
  std::int64_t channel_id = 0;
  Fixture() {
    schema::Channel ch;
    ch.name = "gc";
    ch.token = "group-commit-token";
    channel_id = channels.create(ch).id;
  }
  std::int64_t count() {
    auto c = pool.acquire();
    return c->exec("SELECT count(*) FROM messages").int64(0, 0);
  }
};

TEST(GroupCommit, BatchesConcurrentRequestsAndAnswersEachAfterCommit) {
  Fixture f;
  store::GroupCommit gc(f.messages, {2, 512});
  constexpr int kThreads = 16, kPerThread = 50;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<std::int64_t> ids;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto out = gc.submit({inbound(f.channel_id, "c" + std::to_string(i % 7), std::to_string(t) + "/" + std::to_string(i))}).get();
        ASSERT_EQ(out.size(), 1u);
        // Acknowledged means committed: visible to another connection now.
        auto c = f.pool.acquire();
        ASSERT_EQ(c->exec("SELECT count(*) FROM messages WHERE id = $1", {std::to_string(out[0].message.id)}).int64(0, 0), 1);
        std::lock_guard lk(mu);
        ids.insert(out[0].message.id);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(f.count(), kThreads * kPerThread);
  auto st = gc.stats();
  EXPECT_EQ(st.messages, static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_LT(st.batches, st.messages);  // some requests shared a commit
}

TEST(GroupCommit, ABadRequestDoesNotFailItsNeighbours) {
  Fixture f;
  store::GroupCommit gc(f.messages, {1, 512});
  auto bad = inbound(999999, "ghost", "bad");  // no such channel: foreign key violation
  std::vector<std::future<std::vector<store::StoredMessage>>> futures;
  for (int i = 0; i < 20; ++i) {
    futures.push_back(gc.submit({inbound(f.channel_id, "ok", "good-" + std::to_string(i))}));
    if (i == 10) futures.push_back(gc.submit({bad}));
  }
  int failed = 0;
  for (auto& fu : futures) {
    try {
      fu.get();
    } catch (const std::exception&) {
      ++failed;
    }
  }
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(f.count(), 20);
}

TEST(GroupCommit, StopFinishesWhatWasSubmitted) {
  Fixture f;
  std::vector<std::future<std::vector<store::StoredMessage>>> futures;
  {
    store::GroupCommit gc(f.messages, {2, 16});
    for (int i = 0; i < 200; ++i) futures.push_back(gc.submit({inbound(f.channel_id, "s", "s" + std::to_string(i))}));
    gc.stop();
    EXPECT_THROW(gc.submit({inbound(f.channel_id, "s", "late")}).get(), std::runtime_error);
  }
  for (auto& fu : futures) EXPECT_EQ(fu.get().size(), 1u);
  EXPECT_EQ(f.count(), 200);
}

}  // namespace
