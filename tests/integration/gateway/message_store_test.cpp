#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "gateway/db/pool.h"
#include "gateway/store/channel_store.h"
#include "gateway/store/message_store.h"
#include "tests/support/test_database.h"

using namespace omnigate;

namespace {

class MessageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool = std::make_unique<db::ConnectionPool>(omnigate::testing::fresh_database(), 20);
    channels = std::make_unique<store::ChannelStore>(*pool);
    store = std::make_unique<store::MessageStore>(*pool);
    schema::Channel ch;
    ch.type = schema::ChannelType::webhook;
    ch.name = "test";
    ch.token = "token-" + std::to_string(reinterpret_cast<std::uintptr_t>(this));
    channel_id = channels->create(ch).id;
  }

  schema::Message inbound(const std::string& contact, const std::string& external_id, const std::string& text) {
    schema::Message m;
    m.channel_id = channel_id;
    m.sender = {schema::SenderType::contact, contact, "Name " + contact};
    m.external_id = external_id;
    schema::Part p;
    p.text = text;
    m.parts.push_back(p);
    return m;
  }

  std::int64_t scalar(const std::string& sql) {
    auto c = pool->acquire();
    return c->exec(sql).int64(0, 0);
  }

  std::unique_ptr<db::ConnectionPool> pool;
  std::unique_ptr<store::ChannelStore> channels;
  std::unique_ptr<store::MessageStore> store;
  std::int64_t channel_id = 0;
};

TEST_F(MessageStoreTest, StoresAndReturnsTheStoredMessage) {
  auto m = inbound("alice", "ext-1", "你好 👋");
  m.metadata["wechat"]["MsgId"] = "1234567890123456789";
  auto out = store->ingest({m});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].duplicate);
  EXPECT_GT(out[0].message.id, 0);
  EXPECT_GT(out[0].message.conversation_id, 0);
  EXPECT_EQ(out[0].message.seq, 1);

  auto page = store->history(out[0].message.conversation_id, 0, 10);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0], out[0].message);  // what we answered is exactly what is stored
  EXPECT_EQ(page.items[0].parts[0].text, "你好 👋");
  EXPECT_EQ(page.items[0].metadata["wechat"]["MsgId"].asString(), "1234567890123456789");
}

TEST_F(MessageStoreTest, RepeatReturnsTheStoredMessageNeverASecondRow) {
  auto first = store->ingest({inbound("alice", "ext-1", "hello")});
  auto again = store->ingest({inbound("alice", "ext-1", "hello (retry)")});
  EXPECT_TRUE(again[0].duplicate);
  EXPECT_EQ(again[0].message.id, first[0].message.id);
  EXPECT_EQ(again[0].message.parts[0].text, "hello");
  EXPECT_EQ(scalar("SELECT count(*) FROM messages"), 1);
}

TEST_F(MessageStoreTest, DuplicatesInsideOneBatch) {
  auto out = store->ingest({inbound("a", "x", "1"), inbound("a", "x", "1"), inbound("a", "y", "2")});
  EXPECT_FALSE(out[0].duplicate);
  EXPECT_TRUE(out[1].duplicate);
  EXPECT_EQ(out[1].message.id, out[0].message.id);
  EXPECT_FALSE(out[2].duplicate);
  EXPECT_EQ(out[2].message.seq, 2);
  EXPECT_EQ(scalar("SELECT count(*) FROM messages"), 2);
}

TEST_F(MessageStoreTest, SameExternalIdFromEightThreadsMakesExactlyOneRow) {
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<std::int64_t> ids;
  int fresh = 0;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        auto out = store->ingest({inbound("bob", "same-id", "hi")});
        std::lock_guard lk(mu);
        ids.insert(out[0].message.id);
        fresh += out[0].duplicate ? 0 : 1;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(fresh, 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM messages"), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM contacts"), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM conversations"), 1);
  EXPECT_EQ(scalar("SELECT last_seq FROM conversations"), 1);
}

TEST_F(MessageStoreTest, SeqIsGaplessPerConversationUnderConcurrentIngest) {
  constexpr int kThreads = 8, kPerThread = 60, kContacts = 5;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; i += 3) {
        std::vector<schema::Message> batch;
        for (int k = i; k < i + 3; ++k)
          batch.push_back(inbound("c" + std::to_string((t + k) % kContacts), "t" + std::to_string(t) + "-" + std::to_string(k), "m"));
        store->ingest(batch);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(scalar("SELECT count(*) FROM messages"), kThreads * kPerThread);
  EXPECT_EQ(scalar("SELECT count(*) FROM conversations"), kContacts);
  // For every conversation: seqs are exactly 1..last_seq.
  EXPECT_EQ(scalar("SELECT count(*) FROM conversations c WHERE last_seq <> "
                   "(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) OR last_seq <> "
                   "(SELECT max(seq) FROM messages m WHERE m.conversation_id = c.id)"),
            0);
  // And seq order follows commit order within each conversation.
  EXPECT_EQ(scalar("SELECT count(*) FROM (SELECT id, lag(id) OVER (PARTITION BY conversation_id ORDER BY seq) AS prev "
                   "FROM messages) s WHERE prev > id"),
            0);
}

TEST_F(MessageStoreTest, FirstMessagesOfOneNewContactRacingMakeOneContact) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] { store->ingest({inbound("newcomer", "n" + std::to_string(t), "hi")}); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(scalar("SELECT count(*) FROM contacts"), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM contact_identities"), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM conversations"), 1);
  EXPECT_EQ(scalar("SELECT last_seq FROM conversations"), 8);
}

TEST_F(MessageStoreTest, ContactsAreScopedByChannel) {
  schema::Channel other;
  other.type = schema::ChannelType::webhook;
  other.name = "other";
  other.token = "other-token-xyz";
  auto other_id = channels->create(other).id;
  auto a = store->ingest({inbound("alice", "1", "x")});
  auto m = inbound("alice", "1", "x");  // same external ids, other channel
  m.channel_id = other_id;
  auto b = store->ingest({m});
  EXPECT_FALSE(b[0].duplicate);
  EXPECT_NE(a[0].message.conversation_id, b[0].message.conversation_id);
  EXPECT_EQ(scalar("SELECT count(*) FROM contacts"), 2);
}

TEST_F(MessageStoreTest, HistoryPagesBySeq) {
  std::vector<schema::Message> batch;
  for (int i = 0; i < 25; ++i) batch.push_back(inbound("pager", "p" + std::to_string(i), std::to_string(i)));
  auto stored = store->ingest(batch);
  auto conv = stored[0].message.conversation_id;
  std::vector<std::int64_t> seen;
  std::int64_t after = 0;
  for (;;) {
    auto page = store->history(conv, after, 10);
    for (const auto& m : page.items) seen.push_back(m.seq);
    if (!page.more) break;
    after = page.items.back().seq;
  }
  ASSERT_EQ(seen.size(), 25u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], static_cast<std::int64_t>(i + 1));
  EXPECT_TRUE(store->history(conv, 25, 10).items.empty());
}

TEST_F(MessageStoreTest, MessagesWithoutExternalIdAreNeverDeduplicated) {
  store->ingest({inbound("z", "", "a")});
  store->ingest({inbound("z", "", "a")});
  EXPECT_EQ(scalar("SELECT count(*) FROM messages"), 2);
}

}  // namespace
