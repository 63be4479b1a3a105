#include "gateway/channel_cache.h"

namespace omnigate::gateway {

namespace {
// Misses are cached too (a scan of random tokens must not reach the
// database), but the map is bounded so such a scan cannot grow it forever.
constexpr size_t kMaxEntries = 10000;
}  // namespace

std::optional<schema::Channel> ChannelCache::find_by_token(const std::string& token) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lk(mu_);
    auto it = entries_.find(token);
    if (it != entries_.end() && it->second.expires > now) return it->second.channel;
  }
  auto channel = store_.find_by_token(token);
  std::lock_guard lk(mu_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[token] = {channel, now + ttl_};
  return channel;
}

std::optional<schema::Channel> ChannelCache::find_by_id(std::int64_t id) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lk(mu_);
    auto it = by_id_.find(id);
    if (it != by_id_.end() && it->second.expires > now) return it->second.channel;
  }
  auto channel = store_.get(id);
  std::lock_guard lk(mu_);
  if (by_id_.size() >= kMaxEntries) by_id_.clear();
  by_id_[id] = {channel, now + ttl_};
  return channel;
}

void ChannelCache::invalidate() {
  std::lock_guard lk(mu_);
  entries_.clear();
  by_id_.clear();
}

}  // namespace omnigate::gateway
