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
  // Outbound::attempt is this attempt's number. Outbound::thread is filled
  // for email channels (see adapters/adapter.h), with one more query for the
  // whole batch.
  std::vector<adapters::Outbound> claim(int limit, std::chrono::seconds lease);

  // Each returns false when the row is no longer ours (the lease ran out and
  // another dispatcher took over), in which case nothing is written.
  // mark_sent records Delivery::external_id (the channel's id for the sent
  // message, e.g. our email Message-ID) in metadata.delivery.external_id, and
  // also as the message's external_id when it has none and no other message
  // of the channel uses that id: replies that quote it then find the message
  // by (channel_id, external_id). A reply sent with a client_msg_id keeps that
  // as its external_id; its channel id is in metadata.delivery only.
  bool mark_sent(const adapters::Outbound& o, const adapters::Delivery& d);
  bool schedule_retry(const adapters::Outbound& o, const std::string& error, std::chrono::milliseconds delay);
  bool mark_failed(const adapters::Outbound& o, const std::string& error);

  std::int64_t pending_count();

 private:
  void fill_threads(db::PgConnection& conn, std::vector<adapters::Outbound>& claimed,
                    const std::vector<std::int64_t>& message_ids);
  void fill_files(db::PgConnection& conn, std::vector<adapters::Outbound>& claimed);

  db::ConnectionPool& pool_;
};

}  // namespace omnigate::store
