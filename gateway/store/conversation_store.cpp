#include "gateway/store/conversation_store.h"

#include <charconv>
#include <stdexcept>

#include "schema/json.h"

namespace omnigate::store {
namespace {

// Conversations without messages sort last, as epoch 0.
constexpr const char* kRecency = "coalesce(c.last_message_at, 'epoch')";
constexpr const char* kRecencyMicros = "(extract(epoch FROM coalesce(c.last_message_at, 'epoch')) * 1000000)::bigint";

// Parameters numbered as they are added, so the SQL never splices a value.
class Query {
 public:
  std::string add(db::Param value) {
    params_.push_back(std::move(value));
    return "$" + std::to_string(params_.size());
  }
  void where(const std::string& condition) { where_ += " AND " + condition; }
  const std::string& conditions() const { return where_; }
  const db::Params& params() const { return params_; }

 private:
  db::Params params_;
  std::string where_ = "true";
};

// LIKE pattern for "contains `text`", its wildcards escaped.
std::string contains_pattern(const std::string& text) {
  std::string out = "%";
  for (char ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "%";
}

std::vector<std::string> status_names(const std::vector<schema::ConversationStatus>& statuses) {
  std::vector<std::string> out;
  for (auto s : statuses) out.emplace_back(schema::to_string(s));
  return out;
}

void add_access(Query& q, const workbench::Viewer& viewer) {
  if (viewer.admin) return;
  // The SQL form of workbench::may_see.
  std::string me = q.add(std::to_string(viewer.agent));
  q.where("(c.assignee_id = " + me + " OR c.offer_agent_id = " + me + " OR c.team_id IS NULL OR c.team_id = ANY(" +
          q.add(db::array_literal(viewer.teams)) + "::bigint[]))");
}

void add_filters(Query& q, const workbench::Viewer& viewer, const ConversationFilter& f) {
  using View = ConversationFilter::View;
  using S = schema::ConversationStatus;
  std::vector<S> statuses = f.statuses;
  switch (f.view) {
    case View::all: break;
    case View::mine:
      q.where("c.assignee_id = " + q.add(std::to_string(viewer.agent)));
      if (statuses.empty()) statuses = {S::assigned, S::snoozed};
      break;
    case View::team:
      q.where("c.team_id = ANY(" + q.add(db::array_literal(viewer.teams)) + "::bigint[])");
      if (statuses.empty()) statuses = {S::bot, S::queued, S::assigned, S::snoozed};
      break;
    case View::queued: statuses = {S::queued}; break;
  }
  if (!statuses.empty()) q.where("c.status = ANY(" + q.add(db::array_literal(status_names(statuses))) + "::text[])");
  if (f.channel_id) q.where("c.channel_id = " + q.add(std::to_string(*f.channel_id)));
  if (!f.channel_type.empty()) q.where("ch.type = " + q.add(f.channel_type));
  if (!f.tag.empty()) q.where(q.add(f.tag) + " = ANY(c.tags)");
  if (f.contact_id) q.where("c.contact_id = " + q.add(std::to_string(*f.contact_id)));
}

std::pair<std::int64_t, std::int64_t> parse_recency_cursor(const std::string& cursor) {
  auto colon = cursor.find(':');
  std::int64_t micros = 0, id = 0;
  const char* end = cursor.data() + cursor.size();
  if (colon == std::string::npos ||
      std::from_chars(cursor.data(), cursor.data() + colon, micros).ptr != cursor.data() + colon ||
      std::from_chars(cursor.data() + colon + 1, end, id).ptr != end)
    throw std::invalid_argument("cursor: not a value this API returned");
  return {micros, id};
}

// The queue view pages by position: "@<offset>".
std::int64_t parse_offset_cursor(const std::string& cursor) {
  std::int64_t offset = 0;
  const char* end = cursor.data() + cursor.size();
  if (cursor.size() < 2 || cursor[0] != '@' || std::from_chars(cursor.data() + 1, end, offset).ptr != end || offset < 0)
    throw std::invalid_argument("cursor: not a value this API returned");
  return offset;
}

}  // namespace

ConversationViewPage ConversationStore::list(const workbench::Viewer& viewer, const ConversationFilter& filter,
                                             const std::string& cursor, int limit) {
  Query q;
  add_access(q, viewer);
  add_filters(q, viewer, filter);
  std::string sql;
  const bool queue_order = filter.view == ConversationFilter::View::queued;
  std::int64_t offset = 0;
  if (queue_order) {
    if (!cursor.empty()) offset = parse_offset_cursor(cursor);
  } else if (!cursor.empty()) {
    auto [micros, id] = parse_recency_cursor(cursor);
    q.where("(" + std::string(kRecency) + ", c.id) < (timestamptz 'epoch' + " + q.add(std::to_string(micros)) +
            "::bigint * interval '1 microsecond', " + q.add(std::to_string(id)) + "::bigint)");
  }
  const std::string order = queue_order ? "c.priority DESC, c.queued_at, c.id"
                                        : std::string(kRecency) + " DESC, c.id DESC";
  std::string from = kViewFrom;
  if (!filter.text.empty()) {
    // The window of candidates first, then the (costly) text match on them.
    std::string pattern = q.add(contains_pattern(filter.text));
    std::string window = std::to_string(kSearchWindow);
    from = "(SELECT c.* FROM conversations c JOIN channels ch ON ch.id = c.channel_id WHERE " + q.conditions() +
           " ORDER BY " + order + " LIMIT " + window + ") c " + kViewJoins;
    sql = std::string("SELECT ") + kViewColumns + ", " + kRecencyMicros + " FROM " + from +
          " WHERE (ct.name ILIKE " + pattern + " OR EXISTS (SELECT 1 FROM messages sm WHERE sm.conversation_id = c.id "
          "AND og_message_text(sm.parts) ILIKE " + pattern + "))";
  } else {
    sql = std::string("SELECT ") + kViewColumns + ", " + kRecencyMicros + " FROM " + from + " WHERE " + q.conditions();
  }
  db::Params params = q.params();
  sql += " ORDER BY " + order + " LIMIT " + std::to_string(limit + 1);
  if (queue_order && offset > 0) sql += " OFFSET " + std::to_string(offset);

  auto conn = pool_.acquire();
  auto r = conn->exec(sql, params);
  ConversationViewPage page;
  for (int i = 0; i < r.rows() && i < limit; ++i) page.items.push_back(view_from_row(r, i));
  if (r.rows() > limit) {
    if (queue_order) {
      page.next = "@" + std::to_string(offset + limit);
    } else {
      int last = limit - 1;
      page.next = std::to_string(r.int64(last, r.columns() - 1)) + ":" + std::to_string(r.int64(last, 0));
    }
  }
  return page;
}

std::optional<schema::Conversation> ConversationStore::get(std::int64_t id) {
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared("og_conversation_get",
                               std::string("SELECT ") + kConversationColumns + " FROM conversations c WHERE c.id = $1",
                               {std::to_string(id)});
  if (r.rows() == 0) return std::nullopt;
  return conversation_from_row(r, 0);
}

std::optional<ConversationView> ConversationStore::view(std::int64_t id) {
  auto conn = pool_.acquire();
  auto r = conn->exec_prepared("og_conversation_view",
                               std::string("SELECT ") + kViewColumns + " FROM " + kViewFrom + " WHERE c.id = $1",
                               {std::to_string(id)});
  if (r.rows() == 0) return std::nullopt;
  return view_from_row(r, 0);
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
