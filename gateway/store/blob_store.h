#pragma once
// Bytes that message parts refer to by SHA-256 (schema/migrations/007_email.sql:
// blobs): email attachments today. Content-addressed, so the same file
// arriving twice is kept once and a retried ingest writes nothing new.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/adapter.h"
#include "gateway/db/pool.h"

namespace omnigate::store {

struct StoredBlob {
  std::string sha256;
  std::string content_type;
  std::string filename;  // the first name these bytes arrived under
  std::string bytes;
};

class BlobStore {
 public:
  explicit BlobStore(db::ConnectionPool& pool) : pool_(pool) {}

  // Keeps each blob once, in one transaction. Throws std::invalid_argument
  // for a blob whose bytes do not hash to its sha256 (it would serve
  // someone else's file under that name), db::PgError when it cannot commit.
  void put(const std::vector<adapters::Blob>& blobs);
  // nullopt when no blob has this hash (lowercase hex).
  std::optional<StoredBlob> get(const std::string& sha256);
  // Whether a message of the conversation names these bytes in a part's
  // extra.sha256: what lets an agent who may see that conversation fetch them.
  bool referenced_in(std::int64_t conversation_id, const std::string& sha256);

 private:
  db::ConnectionPool& pool_;
};

// 64 lowercase hex digits.
bool is_sha256_hex(const std::string& text);

}  // namespace omnigate::store
