#include "gateway/realtime/hub.h"

#include <algorithm>

#include "gateway/logging.h"

namespace omnigate::gateway::realtime {
namespace {

// Scopes are small; past this many (a long-running node) the map starts over
// and fills again from notifications and lookups.
constexpr size_t kMaxScopes = 200000;

// Sessions whose last reference may have been taken from a weak_ptr under
// the hub's lock. Dropping such a reference there would run the session's
// destructor, which prunes the hub, under that same lock: a self-deadlock
// (seen once in realtime_integration_test). So every reference taken under
// the lock is also parked here and released by Locked after it unlocks.
thread_local std::vector<std::shared_ptr<Subscriber>> t_parked;

std::shared_ptr<Subscriber> hold(const std::weak_ptr<Subscriber>& w) {
  auto s = w.lock();
  if (s) t_parked.push_back(s);
  return s;
}

// The hub's lock, with the parked references released after unlocking
// (members are destroyed in reverse order: the lock first).
struct Locked {
  struct ReleaseParked {
    ~ReleaseParked() {
      auto parked = std::move(t_parked);
      t_parked.clear();
    }
  } release;
  std::lock_guard<std::mutex> lock;
  explicit Locked(std::mutex& mu) : lock(mu) {}
};

bool sees(const std::optional<workbench::Viewer>& viewer, const std::optional<workbench::ConversationScope>& scope) {
  if (!viewer) return true;
  if (!scope) return viewer->admin;
  return workbench::may_see(*viewer, *scope);
}

}  // namespace

void Hub::follow(std::int64_t conversation_id, const std::shared_ptr<Subscriber>& visitor) {
  Locked lk(mu_);
  auto& list = followers_[conversation_id];
  for (const auto& w : list)
    if (hold(w) == visitor) return;
  list.push_back(visitor);
}

void Hub::add_agent(const std::shared_ptr<Subscriber>& agent, std::optional<workbench::Viewer> viewer) {
  Locked lk(mu_);
  agents_.push_back({agent, std::move(viewer)});
}

void Hub::push_all(std::vector<std::weak_ptr<Subscriber>>& list, const schema::Message& m) {
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](const std::weak_ptr<Subscriber>& w) {
                              auto s = hold(w);
                              if (!s) return true;
                              s->push(m);
                              return false;
                            }),
             list.end());
}

void Hub::push_agents_locked(const schema::Message& m, const std::optional<workbench::ConversationScope>& scope) {
  std::erase_if(agents_, [&](const AgentSocket& a) {
    auto s = hold(a.subscriber);
    if (!s) return true;
    if (sees(a.viewer, scope)) s->push(m);
    return false;
  });
}

bool Hub::restricted_agents_locked() const {
  return std::any_of(agents_.begin(), agents_.end(), [](const AgentSocket& a) { return a.viewer && !a.viewer->admin; });
}

void Hub::signal_agents_locked(const Json::Value& frame, const std::optional<workbench::ConversationScope>& scope) {
  for (const auto& a : agents_)
    if (auto s = hold(a.subscriber); s && sees(a.viewer, scope)) s->push_signal(frame);
}

bool Hub::push_or_hold_locked(std::int64_t conversation_id, const schema::Message* message, const Json::Value* frame) {
  auto push = [&](const std::optional<workbench::ConversationScope>& scope) {
    if (message) push_agents_locked(*message, scope);
    else signal_agents_locked(*frame, scope);
  };
  auto scope = scopes_.find(conversation_id);
  if (scope != scopes_.end() && !held_.count(conversation_id)) {
    push(scope->second);
    return false;
  }
  // Unknown scope (or earlier events still waiting for it): the unrestricted
  // get it now, the others once the scope is known.
  push(std::nullopt);
  if (!restricted_agents_locked() || !resolver_) return false;
  auto& queue = held_[conversation_id];
  // Copied only now: the common case (a known scope) copies nothing.
  if (message) queue.push_back({*message, Json::Value()});
  else queue.push_back({std::nullopt, *frame});
  return queue.size() == 1;
}

void Hub::on_event(const MessageEvent& event) {
  const schema::Message& m = event.message;
  bool resolve = false;
  ScopeResolver resolver;
  {
    Locked lk(mu_);
    resolve = push_or_hold_locked(m.conversation_id, &m, nullptr);
    if (resolve) resolver = resolver_;
    // Private notes are for agents only; visitors never see them.
    if (m.direction != schema::Direction::note) {
      auto it = followers_.find(m.conversation_id);
      if (it != followers_.end()) {
        push_all(it->second, m);
        if (it->second.empty()) followers_.erase(it);
      }
    }
  }
  if (resolve) resolver(m.conversation_id);
}

void Hub::signal_visitors(std::int64_t conversation_id, const Json::Value& frame) {
  Locked lk(mu_);
  auto it = followers_.find(conversation_id);
  if (it == followers_.end()) return;
  for (const auto& w : it->second)
    if (auto s = hold(w)) s->push_signal(frame);
}

void Hub::publish_about_conversation(std::int64_t conversation_id, const Json::Value& frame) {
  ScopeResolver resolver;
  {
    Locked lk(mu_);
    if (push_or_hold_locked(conversation_id, nullptr, &frame)) resolver = resolver_;
  }
  if (resolver) resolver(conversation_id);
}

void Hub::signal_agents(const Json::Value& frame) {
  Locked lk(mu_);
  std::optional<workbench::ConversationScope> scope;
  if (frame.isMember("conversation")) {
    auto it = scopes_.find(frame["conversation"].asInt64());
    if (it != scopes_.end()) scope = it->second;
  }
  signal_agents_locked(frame, scope);
}

void Hub::publish_to_agents(const Json::Value& frame, const Audience& audience) {
  Locked lk(mu_);
  for (const auto& a : agents_) {
    auto s = hold(a.subscriber);
    if (!s) continue;
    if (!a.viewer || audience(*a.viewer)) s->push_signal(frame);
  }
}

void Hub::publish_to_agent(std::int64_t agent_id, const Json::Value& frame) {
  Locked lk(mu_);
  for (const auto& a : agents_)
    if (auto s = hold(a.subscriber); s && a.viewer && a.viewer->agent == agent_id) s->push_signal(frame);
}

void Hub::publish_to_each_agent(
    const std::function<std::optional<Json::Value>(const std::optional<workbench::Viewer>&)>& make) {
  Locked lk(mu_);
  for (const auto& a : agents_) {
    auto s = hold(a.subscriber);
    if (!s) continue;
    if (auto frame = make(a.viewer)) s->push_signal(*frame);
  }
}

void Hub::update_viewer(const workbench::Viewer& viewer) {
  Locked lk(mu_);
  for (auto& a : agents_)
    if (a.viewer && a.viewer->agent == viewer.agent) a.viewer = viewer;
}

bool Hub::has_agents() const {
  Locked lk(mu_);
  return std::any_of(agents_.begin(), agents_.end(), [](const AgentSocket& a) { return !a.subscriber.expired(); });
}

void Hub::catch_up_all() {
  std::vector<std::shared_ptr<Subscriber>> sessions;
  {
    Locked lk(mu_);
    for (const auto& [conversation, list] : followers_)
      for (const auto& w : list)
        if (auto s = w.lock()) sessions.push_back(std::move(s));
    for (const auto& a : agents_)
      if (auto s = a.subscriber.lock()) sessions.push_back(std::move(s));
  }
  // A visitor following several conversations is listed once per conversation.
  std::sort(sessions.begin(), sessions.end());
  sessions.erase(std::unique(sessions.begin(), sessions.end()), sessions.end());
  spdlog::info("event=realtime.catch_up sessions={}", sessions.size());
  for (const auto& s : sessions) s->catch_up();
}

void Hub::set_scope_resolver(ScopeResolver resolver) {
  Locked lk(mu_);
  resolver_ = std::move(resolver);
}

void Hub::set_scope(std::int64_t conversation_id, const workbench::ConversationScope& scope) {
  Locked lk(mu_);
  if (scopes_.size() >= kMaxScopes && !scopes_.count(conversation_id)) scopes_.clear();
  scopes_[conversation_id] = scope;
  auto held = held_.find(conversation_id);
  if (held == held_.end()) return;
  // The held messages, in order, to the restricted agents who may see them
  // (the others had them already).
  for (const auto& e : held->second)
    for (const auto& a : agents_)
      if (auto s = hold(a.subscriber); s && a.viewer && !a.viewer->admin && workbench::may_see(*a.viewer, scope)) {
        if (e.message) s->push(*e.message);
        else s->push_signal(e.frame);
      }
  held_.erase(held);
}

void Hub::forget_scope(std::int64_t conversation_id) {
  Locked lk(mu_);
  scopes_.erase(conversation_id);
  held_.erase(conversation_id);
}

void Hub::clear_scopes() {
  Locked lk(mu_);
  scopes_.clear();
}

std::optional<workbench::ConversationScope> Hub::scope(std::int64_t conversation_id) const {
  Locked lk(mu_);
  auto it = scopes_.find(conversation_id);
  if (it == scopes_.end()) return std::nullopt;
  return it->second;
}

void Hub::prune(const std::vector<std::int64_t>& conversation_ids) {
  Locked lk(mu_);
  for (auto id : conversation_ids) {
    auto it = followers_.find(id);
    if (it == followers_.end()) continue;
    std::erase_if(it->second, [](const std::weak_ptr<Subscriber>& w) { return w.expired(); });
    if (it->second.empty()) followers_.erase(it);
  }
}

size_t Hub::followed_conversations() const {
  Locked lk(mu_);
  return followers_.size();
}

}  // namespace omnigate::gateway::realtime
