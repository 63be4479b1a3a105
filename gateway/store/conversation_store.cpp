#include "gateway/store/conversation_store.h"

#include <charconv>
#include <stdexcept>

#include "gateway/store/columns.h"
#include "schema/json.h"

namespace omnigate::store {
namespace {

// Conversations without messages sort last, as epoch 0.
constexpr const char* kColumns =
    "id, channel_id, contact_id, status, priority, assignee_id, team_id, tags, last_seq, created_at, "
    "updated_at, last_message_at, first_response_due, resolution_due, "
    "(extract(epoch FROM coalesce(last_message_at, 'epoch')) * 1000000)::bigint";

schema::Conversation from_row(const db::PgResult& r, int i) {
  schema::Conversation c;
  c.id = r.int64(i, 0);
  c.channel_id = r.int64(i, 1);
  c.contact_id = r.int64(i, 2);
  c.status = schema::conversation_status_from_string(r.text(i, 3));
  c.priority = static_cast<int>(r.int64(i, 4));
  if (!r.is_null(i, 5)) c.assignee_id = r.int64(i, 5);
  if (!r.is_null(i, 6)) c.team_id = r.int64(i, 6);
  c.tags = db::parse_text_array(r.text(i, 7));
  c.last_seq = r.int64(i, 8);
  c.created_at = timestamp_at(r, i, 9);
  c.updated_at = timestamp_at(r, i, 10);
  c.last_message_at = optional_timestamp_at(r, i, 11);
  c.first_response_due = optional_timestamp_at(r, i, 12);
  c.resolution_due = optional_timestamp_at(r, i, 13);
  return c;
}

std::pair<std::int64_t, std::int64_t> parse_cursor(const std::string& cursor) {
  auto colon = cursor.find(':');
  std::int64_t micros = 0, id = 0;
  const char* end = cursor.data() + cursor.size();
  if (colon == std::string::npos ||
      std::from_chars(cursor.data(), cursor.data() + colon, micros).ptr != cursor.data() + colon ||
      std::from_chars(cursor.data() + colon + 1, end, id).ptr != end)
    throw std::invalid_argument("cursor: not a value this API returned");
  return {micros, id};
}

}  // namespace

ConversationPage ConversationStore::list(const std::string& cursor, int limit) {
  std::int64_t micros = INT64_MAX, after_id = INT64_MAX;
  if (!cursor.empty()) std::tie(micros, after_id) = parse_cursor(cursor);
  auto conn = pool_.acquire();
  auto r = conn->exec(
      std::string("SELECT ") + kColumns +
          " FROM conversations "
          "WHERE (coalesce(last_message_at, 'epoch'), id) < (timestamptz 'epoch' + $1::bigint * interval '1 microsecond', $2::bigint) "
          "ORDER BY coalesce(last_message_at, 'epoch') DESC, id DESC LIMIT $3",
      {std::to_string(micros == INT64_MAX ? 32503680000000000 : micros), std::to_string(after_id),
       std::to_string(limit + 1)});
  ConversationPage page;
  for (int i = 0; i < r.rows() && i < limit; ++i) page.items.push_back(from_row(r, i));
  if (r.rows() > limit) {
    int last = limit - 1;
    page.next = std::to_string(r.int64(last, 14)) + ":" + std::to_string(r.int64(last, 0));
  }
  return page;
}

std::optional<schema::Conversation> ConversationStore::get(std::int64_t id) {
  auto conn = pool_.acquire();
  auto r = conn->exec(std::string("SELECT ") + kColumns + " FROM conversations WHERE id = $1", {std::to_string(id)});
  if (r.rows() == 0) return std::nullopt;
  return from_row(r, 0);
}

std::vector<std::int64_t> ConversationStore::of_contact(std::int64_t channel_id, const std::string& external_id,
                                                       const std::vector<std::int64_t>& resuming) {
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared(
      "og_conversations_of_contact",
      "SELECT cv.id FROM contact_identities ci "
      "JOIN conversations cv ON cv.contact_id = ci.contact_id AND cv.channel_id = ci.channel_id "
      "WHERE ci.channel_id = $1 AND ci.external_id = $2 AND (cv.status <> 'resolved' OR cv.id = ANY($3::bigint[])) "
      "ORDER BY cv.id",
      {std::to_string(channel_id), external_id, db::array_literal(resuming)});
  std::vector<std::int64_t> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.int64(i, 0));
  return out;
}

}  // namespace omnigate::store
