#include "gateway/realtime/hub.h"

#include <algorithm>

namespace omnigate::gateway::realtime {

void Hub::follow(std::int64_t conversation_id, const std::shared_ptr<Subscriber>& visitor) {
  std::lock_guard lk(mu_);
  auto& list = followers_[conversation_id];
  for (const auto& w : list)
    if (w.lock() == visitor) return;
  list.push_back(visitor);
}

void Hub::add_agent(const std::shared_ptr<Subscriber>& agent) {
  std::lock_guard lk(mu_);
  agents_.push_back(agent);
}

void Hub::push_all(std::vector<std::weak_ptr<Subscriber>>& list, const schema::Message& m) {
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](const std::weak_ptr<Subscriber>& w) {
                              auto s = w.lock();
                              if (!s) return true;
                              s->push(m);
                              return false;
                            }),
             list.end());
}

void Hub::on_event(const MessageEvent& event) {
  const schema::Message& m = event.message;
  std::lock_guard lk(mu_);
  push_all(agents_, m);
  // Private notes are for agents only; visitors never see them.
  if (m.direction == schema::Direction::note) return;
  auto it = followers_.find(m.conversation_id);
  if (it == followers_.end()) return;
  push_all(it->second, m);
  if (it->second.empty()) followers_.erase(it);
}

void Hub::signal_visitors(std::int64_t conversation_id, const Json::Value& frame) {
  std::lock_guard lk(mu_);
  auto it = followers_.find(conversation_id);
  if (it == followers_.end()) return;
  for (const auto& w : it->second)
    if (auto s = w.lock()) s->push_signal(frame);
}

void Hub::signal_agents(const Json::Value& frame) {
  std::lock_guard lk(mu_);
  for (const auto& w : agents_)
    if (auto s = w.lock()) s->push_signal(frame);
}

void Hub::prune(const std::vector<std::int64_t>& conversation_ids) {
  std::lock_guard lk(mu_);
  for (auto id : conversation_ids) {
    auto it = followers_.find(id);
    if (it == followers_.end()) continue;
    std::erase_if(it->second, [](const std::weak_ptr<Subscriber>& w) { return w.expired(); });
    if (it->second.empty()) followers_.erase(it);
  }
}

size_t Hub::followed_conversations() const {
  std::lock_guard lk(mu_);
  return followers_.size();
}

}  // namespace omnigate::gateway::realtime
