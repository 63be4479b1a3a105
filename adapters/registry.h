#pragma once
// Which adapter serves which channel type. Adding a channel is one folder
// under adapters/ plus one line in builtin.cpp.
#include <map>
#include <memory>
#include <vector>

#include "adapters/adapter.h"

namespace omnigate::adapters {

class Registry {
 public:
  void add(std::unique_ptr<Adapter> adapter);
  // nullptr when no adapter serves that type in this build.
  const Adapter* find(schema::ChannelType type) const;
  std::vector<schema::ChannelType> types() const;

 private:
  std::map<schema::ChannelType, std::unique_ptr<Adapter>> adapters_;
};

// Every adapter compiled into omnigate.
Registry builtin_registry();

}  // namespace omnigate::adapters
