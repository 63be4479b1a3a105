#pragma once
// The gateway process: database, migrations, stores, group commit and the
// HTTP front, started and stopped in the right order.
#include <atomic>
#include <memory>

#include "gateway/assign/assigner.h"
#include "gateway/assign/queue_monitor.h"
#include "gateway/config.h"
#include "gateway/database.h"
#include "gateway/http/front.h"
#include "gateway/realtime/conversation_feed.h"
#include "gateway/realtime/delivery_feed.h"
#include "gateway/realtime/event_bus.h"
#include "gateway/realtime/hub.h"
#include "gateway/realtime/pg_event_bus.h"
#include "gateway/realtime/server.h"
#include "gateway/services.h"

namespace omnigate::gateway {

class Gateway {
 public:
  explicit Gateway(Config config);
  ~Gateway();
  // Opens the database, applies migrations, binds the listen addresses.
  // Returns the bound HTTP port. Throws on any failure.
  int start();
  int realtime_port() const { return realtime_port_; }
  // Serves until stop(); then drains: in-flight requests are answered and
  // their messages committed before run() returns.
  void run();
  // Safe from any thread (the signal thread); returns once the listener is
  // closed, while run() may still be draining.
  void stop();

 private:
  void stop_queue();  // the change feed, the assigner and the queue monitor

  Config config_;
  std::unique_ptr<Database> database_;
  std::unique_ptr<db::ConnectionPool> pool_;
  std::unique_ptr<store::MessageStore> messages_;
  std::unique_ptr<store::ChannelStore> channels_;
  std::unique_ptr<store::AgentStore> agents_;
  std::unique_ptr<store::ConversationStore> conversations_;
  std::unique_ptr<store::ContactStore> contacts_;
  std::unique_ptr<store::GroupCommit> group_commit_;
  std::unique_ptr<ChannelCache> channel_cache_;
  std::unique_ptr<adapters::Registry> adapters_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<store::OutboxStore> outbox_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<Puller> puller_;  // after the group commit, stopped before it
  std::unique_ptr<store::EmailThreadStore> email_threads_;
  std::unique_ptr<store::BlobStore> blobs_;
  std::unique_ptr<EmailInbound> email_inbound_;
  std::unique_ptr<InboundPreparers> preparers_;
  std::unique_ptr<ImapPoller> imap_poller_;  // after the group commit, stopped before it
  // The queue: stores, the assigner, the queue monitor and the change feed
  // that drives them (stopped before the pool).
  std::unique_ptr<store::LifecycleStore> lifecycle_;
  std::unique_ptr<store::AssignmentStore> assignments_;
  std::unique_ptr<Assigner> assigner_;
  std::unique_ptr<QueueMonitor> queue_monitor_;
  std::unique_ptr<realtime::ConversationFeed> conversation_feed_;
  std::unique_ptr<Services> services_;
  std::unique_ptr<http::Front> front_;
  std::unique_ptr<realtime::PgEventBus> bus_;
  std::unique_ptr<realtime::Hub> hub_;
  std::unique_ptr<realtime::DeliveryFeed> delivery_feed_;  // after the hub it feeds, so destroyed before it
  std::unique_ptr<realtime::Server> realtime_;
  int realtime_port_ = 0;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> serving_{false};
};

}  // namespace omnigate::gateway
