#include "adapters/registry.h"

namespace omnigate::adapters {

void Registry::add(std::unique_ptr<Adapter> adapter) {
  auto type = adapter->type();
  adapters_[type] = std::move(adapter);
}

const Adapter* Registry::find(schema::ChannelType type) const {
  auto it = adapters_.find(type);
  return it == adapters_.end() ? nullptr : it->second.get();
}

std::vector<schema::ChannelType> Registry::types() const {
  std::vector<schema::ChannelType> out;
  for (const auto& [type, _] : adapters_) out.push_back(type);
  return out;
}

}  // namespace omnigate::adapters
