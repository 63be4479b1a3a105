#include "adapters/registry.h"
#include "adapters/webhook/webhook_adapter.h"

namespace omnigate::adapters {

Registry builtin_registry() {
  Registry r;
  r.add(std::make_unique<webhook::WebhookAdapter>());
  return r;
}

}  // namespace omnigate::adapters
