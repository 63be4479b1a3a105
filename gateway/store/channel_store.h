#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/db/pool.h"
#include "schema/channel.h"

namespace omnigate::store {

// Channels as admins configure them. Deleting is soft (history keeps its
// channel); a deleted channel is invisible to every read here.
class ChannelStore {
 public:
  explicit ChannelStore(db::ConnectionPool& pool) : pool_(pool) {}

  schema::Channel create(const schema::Channel& channel);  // fills id, timestamps
  std::optional<schema::Channel> get(std::int64_t id);
  std::optional<schema::Channel> find_by_token(const std::string& token);
  // Web/app channels by the public key their clients send (config.key).
  std::optional<schema::Channel> find_by_public_key(const std::string& key);
  std::vector<schema::Channel> list();
  // Writes name, config, secrets, enabled, token; false when not found.
  bool update(const schema::Channel& channel);
  bool remove(std::int64_t id);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace omnigate::store
