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

// Every change of an outbound message's delivery state (sent, failed, a retry
// scheduled with the channel's reason, queued again by an agent) is announced
// by the statement that makes it: NOTIFY on this channel, at commit, to every
// node, with {"message", "conversation", "seq", "status", "error"} (the
// error's first kAnnouncedErrorChars characters, so the payload stays far
// below PostgreSQL's 8000 bytes). gateway/realtime/delivery_feed.h turns it
// into the agents' message.updated event.
inline constexpr const char* kDeliveryChannel = "omnigate_deliveries";
inline constexpr int kAnnouncedErrorChars = 1000;

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
  // mark_sent for many deliveries in one statement and one commit (what the
  // dispatcher records after each claimed batch). Returns the ids of the
  // messages that were still ours, hence marked; the others are untouched.
  struct Sent {
    const adapters::Outbound* outbound;
    std::string external_id;  // Delivery::external_id
  };
  std::vector<std::int64_t> mark_all_sent(const std::vector<Sent>& sent);
  // Gives back claimed deliveries that were never tried (a dispatcher
  // stopping): due again now, their attempt not counted, so another
  // dispatcher takes them at once instead of after the lease. Rows no
  // longer ours are left alone. Returns how many were given back.
  int release(const std::vector<const adapters::Outbound*>& unsent);
  bool schedule_retry(const adapters::Outbound& o, const std::string& error, std::chrono::milliseconds delay);
  bool mark_failed(const adapters::Outbound& o, const std::string& error);

  // An agent sends a failed outbound message again: back to pending with its
  // error cleared, queued due now with attempts counted from zero. Only a
  // message of `conversation_id` whose delivery failed; otherwise nothing
  // changes and the outcome says why.
  struct Retry {
    enum class Outcome { queued, not_failed, not_found } outcome = Outcome::not_found;
    schema::Message message;  // as stored now, when queued
  };
  Retry retry_failed(std::int64_t conversation_id, std::int64_t message_id);

  std::int64_t pending_count();

 private:
  void fill_threads(db::PgConnection& conn, std::vector<adapters::Outbound>& claimed,
                    const std::vector<std::int64_t>& message_ids);
  void fill_files(db::PgConnection& conn, std::vector<adapters::Outbound>& claimed);

  db::ConnectionPool& pool_;
};

}  // namespace omnigate::store
