#pragma once
// Where stored messages become live events. The hub subscribes; the group
// commit publishes after each commit. This interface is what lets a visitor
// on one node and an agent on another talk live: LocalEventBus fans out in
// process; a PostgreSQL LISTEN/NOTIFY implementation carries the same events
// between nodes.
#include <functional>
#include <mutex>
#include <vector>

#include "schema/message.h"

namespace omnigate::gateway::realtime {

struct MessageEvent {
  schema::Message message;  // as stored, with conversation_id and seq
};

class EventBus {
 public:
  using Handler = std::function<void(const MessageEvent&)>;
  virtual ~EventBus() = default;
  // Events of one commit, in seq order per conversation.
  virtual void publish(const std::vector<MessageEvent>& events) = 0;
  virtual void subscribe(Handler handler) = 0;
};

// In-process fan-out: what a single node needs, and the local half of the
// PostgreSQL bus.
class LocalEventBus : public EventBus {
 public:
  void publish(const std::vector<MessageEvent>& events) override;
  void subscribe(Handler handler) override;

 private:
  std::mutex mu_;
  std::vector<Handler> handlers_;
};

}  // namespace omnigate::gateway::realtime
