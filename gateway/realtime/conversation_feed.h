#pragma once
// Conversation changes, from every node, as agents' live events. The
// triggers of schema/migrations/010_queue.sql NOTIFY omnigate_conversations
// at each commit that changes a conversation's status, assignee, team,
// offer, priority, tags or SLA state (and when an agent's routing data
// changes); this feed LISTENs on its own connection and, on a worker thread:
//  * reads the conversation as agents see it and pushes
//      {"type":"conversation.updated","conversation":{...}}
//    to the agents who may see it now or could see it before the change (so
//    a transfer away also reaches the agent who lost it);
//      {"type":"conversation.offered","conversation":{...},"expires_at":...}
//    to the agent offered it;
//      {"type":"conversation.sla_breached","conversation":id,"kind":
//       "first_response"|"resolution","due":...}
//    to those who may see it;
//  * keeps the hub's conversation scopes current (message filtering) and
//    answers its scope lookups;
//  * tells the assigner (routing may have something to do) and the queue
//    monitor (queue.updated, visitors' positions).
// Since every node gets every notification, each node serves exactly its own
// sockets: nothing is sent twice and nothing depends on which node changed
// the conversation.
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "gateway/db/listener.h"
#include "gateway/realtime/hub.h"
#include "gateway/store/agent_store.h"
#include "gateway/store/conversation_store.h"

namespace omnigate::gateway::realtime {

class ConversationFeed {
 public:
  struct Hooks {
    std::function<void()> routing_changed;  // the assigner's poke
    std::function<void()> queue_changed;    // the queue monitor's poke
  };

  ConversationFeed(const std::string& conninfo, store::ConversationStore& conversations, store::AgentStore& agents,
                   Hub& hub, Hooks hooks);
  ~ConversationFeed();  // stop()
  void start();
  void stop();

  static constexpr const char* kChannel = "omnigate_conversations";

 private:
  struct Work {
    enum class Kind { notice, lookup, reconnected } kind = Kind::notice;
    Json::Value notice;
    std::int64_t conversation = 0;
    bool after_a_loss = false;  // reconnected: notifications were missed
  };
  void enqueue(Work work);
  void worker();
  void handle_notice(const Json::Value& notice);
  void handle_agent(std::int64_t agent_id);
  void lookup(std::int64_t conversation_id);

  store::ConversationStore& conversations_;
  store::AgentStore& agents_;
  Hub& hub_;
  Hooks hooks_;
  std::unique_ptr<db::PgListener> listener_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Work> pending_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace omnigate::gateway::realtime
