#include "gateway/store/blob_store.h"

#include <algorithm>
#include <stdexcept>

#include "adapters/common/crypto.h"

namespace omnigate::store {

bool is_sha256_hex(const std::string& text) {
  return text.size() == 64 &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

void BlobStore::put(const std::vector<adapters::Blob>& blobs) {
  if (blobs.empty()) return;
  for (const adapters::Blob& b : blobs)
    if (!is_sha256_hex(b.sha256) || crypto::to_hex(crypto::sha256(b.bytes)) != b.sha256)
      throw std::invalid_argument("blob " + b.sha256 + ": the bytes do not hash to this sha256");
  auto conn = pool_.acquire();
  db::Transaction tx(*conn);
  for (const adapters::Blob& b : blobs) {
    // bytea in text form: \x and the hex digits.
    conn->exec(
        "INSERT INTO blobs (sha256, content_type, filename, size, bytes) VALUES ($1, $2, $3, $4, $5::bytea) "
        "ON CONFLICT (sha256) DO NOTHING",
        {b.sha256, b.content_type.empty() ? "application/octet-stream" : b.content_type, b.filename,
         std::to_string(b.bytes.size()), "\\x" + crypto::to_hex(b.bytes)});
  }
  tx.commit();
}

std::optional<StoredBlob> BlobStore::get(const std::string& sha256) {
  if (!is_sha256_hex(sha256)) return std::nullopt;
  auto conn = pool_.acquire();
  auto r = conn->exec("SELECT content_type, filename, encode(bytes, 'hex') FROM blobs WHERE sha256 = $1", {sha256});
  if (r.rows() == 0) return std::nullopt;
  StoredBlob b;
  b.sha256 = sha256;
  b.content_type = r.str(0, 0);
  b.filename = r.str(0, 1);
  auto bytes = crypto::from_hex(r.text(0, 2));
  if (!bytes) throw std::runtime_error("blob " + sha256 + ": the database returned malformed hex");
  b.bytes = std::move(*bytes);
  return b;
}

bool BlobStore::referenced_in(std::int64_t conversation_id, const std::string& sha256) {
  if (!is_sha256_hex(sha256)) return false;
  auto conn = pool_.acquire();
  // One conversation's messages by their (conversation_id, seq) index; the
  // containment test runs on those rows only.
  auto r = conn->exec(
      "SELECT 1 FROM messages WHERE conversation_id = $1 "
      "AND parts @> jsonb_build_array(jsonb_build_object('extra', jsonb_build_object('sha256', $2::text))) LIMIT 1",
      {std::to_string(conversation_id), sha256});
  return r.rows() > 0;
}

}  // namespace omnigate::store
