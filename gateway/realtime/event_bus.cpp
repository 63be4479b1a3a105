#include "gateway/realtime/event_bus.h"

namespace omnigate::gateway::realtime {

void LocalEventBus::publish(const std::vector<MessageEvent>& events) {
  std::vector<Handler> handlers;
  {
    std::lock_guard lk(mu_);
    handlers = handlers_;
  }
  for (const auto& e : events)
    for (const auto& h : handlers) h(e);
}

void LocalEventBus::subscribe(Handler handler) {
  std::lock_guard lk(mu_);
  handlers_.push_back(std::move(handler));
}

}  // namespace omnigate::gateway::realtime
