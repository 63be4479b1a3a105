#pragma once
// Who gets which live event. Visitor sessions follow the conversations they
// belong to; agent sessions get every message (the workbench issue narrows
// this to the conversations an agent may see). Sessions are held weakly: a
// closed socket simply stops receiving and is pruned on the next event.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <json/value.h>

#include "gateway/realtime/event_bus.h"

namespace omnigate::gateway::realtime {

class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // Thread-safe and quick: implementations queue onto their own executor.
  virtual void push(const schema::Message& message) = 0;
  // An ephemeral frame (typing, read receipt): never stored, this node only.
  virtual void push_signal(const Json::Value& frame) = 0;
};

class Hub {
 public:
  void follow(std::int64_t conversation_id, const std::shared_ptr<Subscriber>& visitor);
  void add_agent(const std::shared_ptr<Subscriber>& agent);
  void on_event(const MessageEvent& event);
  // Ephemeral frames: to a conversation's visitors (an agent typing), or to
  // the agents (a visitor typing or reading).
  void signal_visitors(std::int64_t conversation_id, const Json::Value& frame);
  void signal_agents(const Json::Value& frame);
  // Drops closed subscribers of these conversations now, rather than at the
  // conversation's next event (which may never come): sessions call it as
  // they end, so the map holds live followers only.
  void prune(const std::vector<std::int64_t>& conversation_ids);
  size_t followed_conversations() const;

 private:
  static void push_all(std::vector<std::weak_ptr<Subscriber>>& list, const schema::Message& m);
  mutable std::mutex mu_;
  std::unordered_map<std::int64_t, std::vector<std::weak_ptr<Subscriber>>> followers_;
  std::vector<std::weak_ptr<Subscriber>> agents_;
};

}  // namespace omnigate::gateway::realtime
