#pragma once
// Who gets which live event. Visitor sessions follow the conversations they
// belong to. Agent sessions get the events of the conversations they may see
// (workbench/access/conversation_access.h): message.created, visitors'
// typing and read receipts, and the workbench's conversation events. Sessions
// are held weakly: a closed socket simply stops receiving and is pruned on
// the next event.
//
// To filter messages the hub keeps each conversation's scope (team,
// assignee, offer), fed by ConversationFeed from the change notifications of
// every node. A message of a conversation whose scope it does not know yet
// goes at once to the agents who see everything (admins) and is held for the
// others until the scope resolver (set by the feed) has looked it up; the
// conversation's later messages wait behind it, so order is kept.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <json/value.h>

#include "gateway/realtime/event_bus.h"
#include "workbench/access/conversation_access.h"

namespace omnigate::gateway::realtime {

class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // Thread-safe and quick: implementations queue onto their own executor.
  virtual void push(const schema::Message& message) = 0;
  // A frame that is not a stored message (typing, read receipt, workbench
  // events): sent as it is.
  virtual void push_signal(const Json::Value& frame) = 0;
  // Events may have been missed (a node's LISTEN connection was lost for a
  // while): bring the client up to date from the store. The default: nothing.
  virtual void catch_up() {}
};

class Hub {
 public:
  using ScopeResolver = std::function<void(std::int64_t conversation)>;
  using Audience = std::function<bool(const workbench::Viewer&)>;

  void follow(std::int64_t conversation_id, const std::shared_ptr<Subscriber>& visitor);
  // An agent socket; `viewer` (none: sees everything) decides what it gets.
  void add_agent(const std::shared_ptr<Subscriber>& agent, std::optional<workbench::Viewer> viewer = std::nullopt);
  void on_event(const MessageEvent& event);
  // Ephemeral frames: to a conversation's visitors (an agent typing), or to
  // the agents who may see the frame's "conversation" (a visitor typing or
  // reading).
  void signal_visitors(std::int64_t conversation_id, const Json::Value& frame);
  void signal_agents(const Json::Value& frame);
  // A durable change of a conversation's content (message.updated): to the
  // agents who may see the conversation, in order with its messages. Unlike
  // signal_agents, an unknown scope is looked up first (the frame waits
  // with the conversation's held messages), so restricted agents get it too.
  void publish_about_conversation(std::int64_t conversation_id, const Json::Value& frame);
  // Workbench events: to every agent whose viewer `audience` accepts, or to
  // one agent's sockets.
  void publish_to_agents(const Json::Value& frame, const Audience& audience);
  void publish_to_agent(std::int64_t agent_id, const Json::Value& frame);
  // A frame made for each agent socket from its viewer (none: an
  // unrestricted socket); no frame, nothing sent.
  void publish_to_each_agent(const std::function<std::optional<Json::Value>(const std::optional<workbench::Viewer>&)>& make);
  // An agent's teams or role changed: their open sockets see accordingly.
  void update_viewer(const workbench::Viewer& viewer);
  bool has_agents() const;
  // Every open session catches up (Subscriber::catch_up), outside the lock.
  void catch_up_all();

  // Conversation scopes (see above).
  void set_scope_resolver(ScopeResolver resolver);
  void set_scope(std::int64_t conversation_id, const workbench::ConversationScope& scope);
  // Resolved (looked up again if it ever comes back), or the lookup failed:
  // its held messages are dropped for the restricted agents.
  void forget_scope(std::int64_t conversation_id);
  void clear_scopes();  // notifications were missed: every scope is looked up again
  std::optional<workbench::ConversationScope> scope(std::int64_t conversation_id) const;

  // Drops closed subscribers of these conversations now, rather than at the
  // conversation's next event (which may never come): sessions call it as
  // they end, so the map holds live followers only.
  void prune(const std::vector<std::int64_t>& conversation_ids);
  size_t followed_conversations() const;

 private:
  struct AgentSocket {
    std::weak_ptr<Subscriber> subscriber;
    std::optional<workbench::Viewer> viewer;  // none: sees everything
  };
  // What waits for a conversation's scope: a stored message, or a frame
  // about one (publish_about_conversation).
  struct Held {
    std::optional<schema::Message> message;
    Json::Value frame;
  };
  static void push_all(std::vector<std::weak_ptr<Subscriber>>& list, const schema::Message& m);
  // To the agents who may see a conversation of `scope` (none: unknown, to
  // the unrestricted only). Prunes closed sockets. Caller holds mu_.
  void push_agents_locked(const schema::Message& m, const std::optional<workbench::ConversationScope>& scope);
  void signal_agents_locked(const Json::Value& frame, const std::optional<workbench::ConversationScope>& scope);
  bool restricted_agents_locked() const;
  // Delivers `event` to the agents who may see its conversation now, or, when
  // its scope is unknown (or earlier events still wait for it), to the
  // unrestricted now and holds it for the others. True when the caller must
  // ask the resolver (the first event held). The event is `message` or, when
  // that is null, `frame`. Caller holds mu_.
  bool push_or_hold_locked(std::int64_t conversation_id, const schema::Message* message, const Json::Value* frame);

  mutable std::mutex mu_;
  std::unordered_map<std::int64_t, std::vector<std::weak_ptr<Subscriber>>> followers_;
  std::vector<AgentSocket> agents_;
  std::unordered_map<std::int64_t, workbench::ConversationScope> scopes_;
  // Events waiting for their conversation's scope (restricted agents only).
  std::unordered_map<std::int64_t, std::deque<Held>> held_;
  ScopeResolver resolver_;
};

}  // namespace omnigate::gateway::realtime
