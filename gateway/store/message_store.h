#pragma once
// Durable messages: ingest (idempotent on (channel_id, external_id), gapless
// per-conversation seq) and history reads paged by seq.
#include <cstdint>
#include <vector>

#include "gateway/db/pool.h"
#include "schema/message.h"

namespace omnigate::store {

struct StoredMessage {
  schema::Message message;  // as stored: id, conversation_id, seq, created_at set
  bool duplicate = false;   // an earlier delivery of the same external_id
};

struct HistoryPage {
  std::vector<schema::Message> items;
  bool more = false;  // another page follows the last item
};

class MessageStore {
 public:
  explicit MessageStore(db::ConnectionPool& pool) : pool_(pool) {}

  // Persists a batch in one transaction and returns one result per input, in
  // input order. Inbound messages (conversation_id == 0) find or create their
  // contact by (channel_id, sender.id) and join the contact's open
  // conversation on that channel, or open one. The same external_id twice in
  // the batch or already stored yields the stored message, flagged duplicate.
  // Retries transient failures (deadlock, lost connection) itself; throws
  // db::PgError when it cannot commit.
  std::vector<StoredMessage> ingest(const std::vector<schema::Message>& messages);
  // The same, moving each message into its result once the batch is
  // committed instead of copying it (the group commit's hot path). When it
  // throws, `messages` is left as it was, so the caller can retry them.
  std::vector<StoredMessage> ingest(std::vector<schema::Message>&& messages);

  // Messages of a conversation with seq > after_seq, in seq order.
  HistoryPage history(std::int64_t conversation_id, std::int64_t after_seq, int limit);
  // The messages with these ids, ordered by conversation and seq.
  std::vector<schema::Message> by_ids(const std::vector<std::int64_t>& ids);

 private:
  // One og_ingest call (schema/migrations/002_ingest_function.sql) for the
  // messages at the indexes `sent`. Duplicates come back whole; a new row
  // only with what the database assigned (id, conversation_id, seq,
  // created_at), the rest is the input's.
  std::vector<StoredMessage> ingest_once(db::PgConnection& c, const std::vector<schema::Message>& messages,
                                         const std::vector<size_t>& sent);
  db::ConnectionPool& pool_;
};

// Column list (of `messages m`) and row reader shared by every query that
// returns messages; `first` is the column where kMessageColumns start.
extern const char* const kMessageColumns;
schema::Message message_from_row(const db::PgResult& r, int row, int first = 0);

}  // namespace omnigate::store
