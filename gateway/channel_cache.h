#pragma once
// Inbound requests find their channel by URL token, and outbound deliveries
// by id, on every call; this keeps
// recent lookups (hits and misses) for a short time so the hot path does not
// query the database. Admin changes on this node invalidate at once; other
// nodes see them within the TTL.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "gateway/store/channel_store.h"

namespace omnigate::gateway {

class ChannelCache {
 public:
  ChannelCache(store::ChannelStore& store, std::chrono::milliseconds ttl) : store_(store), ttl_(ttl) {}
  std::optional<schema::Channel> find_by_token(const std::string& token);
  // The same for delivery, which knows a message's channel by id.
  std::optional<schema::Channel> find_by_id(std::int64_t id);
  void invalidate();

 private:
  struct Entry {
    std::optional<schema::Channel> channel;
    std::chrono::steady_clock::time_point expires;
  };
  store::ChannelStore& store_;
  const std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::unordered_map<std::int64_t, Entry> by_id_;
};

}  // namespace omnigate::gateway
