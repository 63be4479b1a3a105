#pragma once
// The durable side of outbound delivery (see schema/migrations/003_outbox.sql):
// claiming due deliveries with a lease, and recording what the channel said.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "adapters/adapter.h"
#include "gateway/db/pool.h"

namespace omnigate::store {

class OutboxStore {
 public:
  explicit OutboxStore(db::ConnectionPool& pool) : pool_(pool) {}

  // Up to `limit` due deliveries, leased to the caller for `lease` (SKIP
  // LOCKED: concurrent dispatchers on any node never claim the same row).
  // Outbound::attempt is this attempt's number.
  std::vector<adapters::Outbound> claim(int limit, std::chrono::seconds lease);

  // Each returns false when the row is no longer ours (the lease ran out and
  // another dispatcher took over), in which case nothing is written.
  bool mark_sent(const adapters::Outbound& o, const adapters::Delivery& d);
  bool schedule_retry(const adapters::Outbound& o, const std::string& error, std::chrono::milliseconds delay);
  bool mark_failed(const adapters::Outbound& o, const std::string& error);

  std::int64_t pending_count();

 private:
  db::ConnectionPool& pool_;
};

}  // namespace omnigate::store
