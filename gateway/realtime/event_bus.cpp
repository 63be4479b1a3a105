#include "gateway/realtime/event_bus.h"

namespace omnigate::gateway::realtime {

void LocalEventBus::publish(const MessageEvent& event) {
  std::vector<Handler> handlers;
  {
    std::lock_guard lk(mu_);
    handlers = handlers_;
  }
  for (const auto& h : handlers) h(event);
}

void LocalEventBus::subscribe(Handler handler) {
  std::lock_guard lk(mu_);
  handlers_.push_back(std::move(handler));
}

}  // namespace omnigate::gateway::realtime
