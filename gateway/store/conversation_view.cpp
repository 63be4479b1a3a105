#include "gateway/store/conversation_view.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "gateway/store/columns.h"
#include "gateway/store/vip.h"
#include "schema/json.h"

namespace omnigate::store {

const char* const kConversationColumns =
    "c.id, c.channel_id, c.contact_id, c.status, c.priority, c.assignee_id, c.team_id, c.tags, c.last_seq, "
    "c.created_at, c.updated_at, c.last_message_at, c.first_response_due, c.resolution_due, c.queued_at, "
    "c.assigned_at, c.snoozed_until, c.first_response_at, c.resolved_at, c.first_response_breached, "
    "c.resolution_breached";

schema::Conversation conversation_from_row(const db::PgResult& r, int row, int first) {
  auto col = [first](int i) { return first + i; };
  schema::Conversation c;
  c.id = r.int64(row, col(0));
  c.channel_id = r.int64(row, col(1));
  c.contact_id = r.int64(row, col(2));
  c.status = schema::conversation_status_from_string(r.text(row, col(3)));
  c.priority = static_cast<int>(r.int64(row, col(4)));
  if (!r.is_null(row, col(5))) c.assignee_id = r.int64(row, col(5));
  if (!r.is_null(row, col(6))) c.team_id = r.int64(row, col(6));
  c.tags = db::parse_text_array(r.text(row, col(7)));
  c.last_seq = r.int64(row, col(8));
  c.created_at = timestamp_at(r, row, col(9));
  c.updated_at = timestamp_at(r, row, col(10));
  c.last_message_at = optional_timestamp_at(r, row, col(11));
  c.first_response_due = optional_timestamp_at(r, row, col(12));
  c.resolution_due = optional_timestamp_at(r, row, col(13));
  c.queued_at = optional_timestamp_at(r, row, col(14));
  c.assigned_at = optional_timestamp_at(r, row, col(15));
  c.snoozed_until = optional_timestamp_at(r, row, col(16));
  c.first_response_at = optional_timestamp_at(r, row, col(17));
  c.resolved_at = optional_timestamp_at(r, row, col(18));
  c.first_response_breached = r.boolean(row, col(19));
  c.resolution_breached = r.boolean(row, col(20));
  return c;
}

// The newest message that is not a private note, read backwards along
// messages' (conversation_id, seq) key; its preview is the text parts (or
// the first part's type) cut to 140 characters.
#define OG_VIEW_JOINS                                                                                       \
  "JOIN contacts ct ON ct.id = c.contact_id JOIN channels ch ON ch.id = c.channel_id "                     \
  "LEFT JOIN LATERAL (SELECT m.seq, m.direction, m.sender_type, m.created_at, "                            \
  "  left(coalesce(nullif((SELECT string_agg(p ->> 'text', ' ') FROM jsonb_array_elements(m.parts) p "     \
  "                        WHERE p ->> 'type' = 'text'), ''), "                                            \
  "                '[' || coalesce(m.parts -> 0 ->> 'type', 'empty') || ']'), 140) AS preview "            \
  "  FROM messages m WHERE m.conversation_id = c.id AND m.direction <> 'note' "                            \
  "  ORDER BY m.seq DESC LIMIT 1) lm ON true"
const char* const kViewJoins = OG_VIEW_JOINS;
const char* const kViewFrom = "conversations c " OG_VIEW_JOINS;
#undef OG_VIEW_JOINS

const char* const kViewColumns =
    "c.id, c.channel_id, c.contact_id, c.status, c.priority, c.assignee_id, c.team_id, c.tags, c.last_seq, "
    "c.created_at, c.updated_at, c.last_message_at, c.first_response_due, c.resolution_due, c.queued_at, "
    "c.assigned_at, c.snoozed_until, c.first_response_at, c.resolved_at, c.first_response_breached, "
    "c.resolution_breached, "
    "ct.name, ch.type, ch.name, lm.seq, lm.direction, lm.sender_type, lm.preview, lm.created_at, "
    "c.offer_agent_id, c.offer_expires_at, now(), ct.attributes::text, ct.tags";

ConversationView view_from_row(const db::PgResult& r, int row) {
  constexpr int at = kConversationColumnCount;
  ConversationView v;
  v.conversation = conversation_from_row(r, row, 0);
  v.contact_name = r.str(row, at + 0);
  v.channel_type = r.str(row, at + 1);
  v.channel_name = r.str(row, at + 2);
  if (!r.is_null(row, at + 3)) {
    MessagePreview p;
    p.seq = r.int64(row, at + 3);
    p.direction = schema::direction_from_string(r.text(row, at + 4));
    p.sender_type = schema::sender_type_from_string(r.text(row, at + 5));
    p.preview = r.str(row, at + 6);
    p.created_at = timestamp_at(r, row, at + 7);
    v.last_message = std::move(p);
  }
  if (!r.is_null(row, at + 8)) v.offered_to = r.int64(row, at + 8);
  v.offer_expires_at = optional_timestamp_at(r, row, at + 9);
  v.read_at = timestamp_at(r, row, at + 10);
  std::set<std::string> tags(v.conversation.tags.begin(), v.conversation.tags.end());
  for (auto& t : db::parse_text_array(r.text(row, at + 12))) tags.insert(std::move(t));
  v.vip = is_vip(schema::parse_json(r.text(row, at + 11)), tags);
  return v;
}

namespace {
Json::Value id_or_null(const std::optional<std::int64_t>& id) {
  return id ? Json::Value(Json::Int64(*id)) : Json::Value(Json::nullValue);
}
}  // namespace

Json::Value to_json(const ConversationView& v) {
  const schema::Conversation& c = v.conversation;
  Json::Value j = schema::to_json(c);
  j["assignee"] = id_or_null(c.assignee_id);
  j["team"] = id_or_null(c.team_id);
  Json::Value& contact = j["contact"] = Json::Value(Json::objectValue);
  contact["id"] = Json::Int64(c.contact_id);
  contact["name"] = v.contact_name;
  j["vip"] = v.vip;
  Json::Value& channel = j["channel"] = Json::Value(Json::objectValue);
  channel["id"] = Json::Int64(c.channel_id);
  channel["type"] = v.channel_type;
  channel["name"] = v.channel_name;
  if (c.status == schema::ConversationStatus::queued && c.queued_at) {
    auto waited = std::chrono::duration_cast<std::chrono::seconds>(v.read_at - *c.queued_at).count();
    j["waiting_s"] = Json::Int64(std::max<std::int64_t>(0, waited));
  }
  if (v.last_message) {
    Json::Value& m = j["last_message"] = Json::Value(Json::objectValue);
    m["seq"] = Json::Int64(v.last_message->seq);
    m["direction"] = std::string(schema::to_string(v.last_message->direction));
    m["sender_type"] = std::string(schema::to_string(v.last_message->sender_type));
    m["preview"] = v.last_message->preview;
    m["created_at"] = schema::format_timestamp(v.last_message->created_at);
  }
  if (v.offered_to && v.offer_expires_at) {
    Json::Value& o = j["offer"] = Json::Value(Json::objectValue);
    o["agent"] = Json::Int64(*v.offered_to);
    o["expires_at"] = schema::format_timestamp(*v.offer_expires_at);
  }
  return j;
}

}  // namespace omnigate::store
