#pragma once
// Per-channel key/value state (schema/migrations/005_channel_state.sql): the
// cursors of pull channels. The connection overloads let a caller that holds
// a connection (the puller, with its advisory lock) stay on it.
#include <cstdint>
#include <optional>
#include <string>

#include "gateway/db/pool.h"

namespace omnigate::store {

class ChannelStateStore {
 public:
  explicit ChannelStateStore(db::ConnectionPool& pool) : pool_(pool) {}

  std::optional<std::string> get(std::int64_t channel_id, const std::string& key);
  void put(std::int64_t channel_id, const std::string& key, const std::string& value);

  static std::optional<std::string> get(db::PgConnection& c, std::int64_t channel_id, const std::string& key);
  static void put(db::PgConnection& c, std::int64_t channel_id, const std::string& key, const std::string& value);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace omnigate::store
