#pragma once
// The event bus across gateway nodes, on PostgreSQL LISTEN/NOTIFY. Events
// reach this node's subscribers at once (LocalEventBus); other nodes get a
// NOTIFY with the message ids (payloads stay far below PostgreSQL's 8000
// byte limit) and read the messages from the store. Ordering across nodes is
// per NOTIFY, not per commit; visitor sessions put each conversation back in
// seq order and fill any gap from the store, so nothing is lost or doubled.
// A listener that loses its connection reconnects; events notified while it
// was away are gone, so `on_missed` (the hub's catch_up_all) runs then:
// visitor sessions read what they missed from the store, agents resync.
#include <memory>
#include <string>

#include "gateway/db/listener.h"
#include "gateway/realtime/event_bus.h"
#include "gateway/store/message_store.h"

namespace omnigate::gateway::realtime {

class PgEventBus : public EventBus {
 public:
  // With `share` false it is a local bus: no NOTIFY, no listener (one node).
  PgEventBus(std::string conninfo, store::MessageStore& messages, db::ConnectionPool& pool, bool share = true);
  ~PgEventBus() override;
  void publish(const std::vector<MessageEvent>& events) override;
  void subscribe(Handler handler) override;
  // Runs after the listener came back from a lost connection. Set before start().
  void on_missed(std::function<void()> handler) { on_missed_ = std::move(handler); }
  void start();  // begins listening
  void stop();
  const std::string& node_id() const { return node_id_; }

 private:
  void deliver_remote(const std::string& payload);

  std::string conninfo_;
  store::MessageStore& messages_;
  db::ConnectionPool& pool_;
  std::string node_id_;
  const bool share_;
  LocalEventBus local_;
  std::unique_ptr<db::PgListener> listener_;
  std::function<void()> on_missed_;
};

}  // namespace omnigate::gateway::realtime
