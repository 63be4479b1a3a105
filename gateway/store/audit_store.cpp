#include "gateway/store/audit_store.h"

#include "gateway/store/columns.h"
#include "schema/json.h"

namespace omnigate::store {
namespace {

db::Param optional_id(const std::optional<std::int64_t>& id) {
  if (!id) return std::nullopt;
  return std::to_string(*id);
}

}  // namespace

void AuditStore::append(db::PgConnection& c, const AuditEntry& e) {
  c.exec("INSERT INTO audit_log (actor_id, action, target_type, target_id, detail) VALUES ($1, $2, $3, $4, $5::jsonb)",
         {optional_id(e.actor_id), e.action, e.target_type, optional_id(e.target_id),
          e.detail.isObject() ? schema::write_json(e.detail) : std::string("{}")});
}

void AuditStore::record(const AuditEntry& entry) {
  auto conn = pool_.acquire();
  append(*conn, entry);
}

AuditPage AuditStore::list(const AuditFilter& f, std::optional<std::int64_t> before, int limit) {
  auto conn = pool_.acquire();
  auto r = conn->exec(
      "SELECT id, at, actor_id, action, target_type, target_id, detail::text FROM audit_log "
      "WHERE id < $1 AND ($2 = '' OR action = $2) AND ($3 = '' OR target_type = $3) "
      "AND ($4::bigint IS NULL OR target_id = $4) ORDER BY id DESC LIMIT $5",
      {std::to_string(before.value_or(INT64_MAX)), f.action, f.target_type, optional_id(f.target_id),
       std::to_string(limit + 1)});
  AuditPage page;
  for (int i = 0; i < r.rows() && i < limit; ++i) {
    AuditRecord rec;
    rec.id = r.int64(i, 0);
    rec.at = timestamp_at(r, i, 1);
    if (!r.is_null(i, 2)) rec.entry.actor_id = r.int64(i, 2);
    rec.entry.action = r.str(i, 3);
    rec.entry.target_type = r.str(i, 4);
    if (!r.is_null(i, 5)) rec.entry.target_id = r.int64(i, 5);
    rec.entry.detail = schema::parse_json(r.text(i, 6));
    page.items.push_back(std::move(rec));
  }
  if (r.rows() > limit) page.next = page.items.back().id;
  return page;
}

Json::Value to_json(const AuditRecord& r) {
  Json::Value j(Json::objectValue);
  j["id"] = Json::Int64(r.id);
  j["at"] = schema::format_timestamp(r.at);
  j["actor"] = r.entry.actor_id ? Json::Value(Json::Int64(*r.entry.actor_id)) : Json::Value::null;
  j["action"] = r.entry.action;
  j["target_type"] = r.entry.target_type;
  j["target_id"] = r.entry.target_id ? Json::Value(Json::Int64(*r.entry.target_id)) : Json::Value::null;
  j["detail"] = r.entry.detail;
  return j;
}

}  // namespace omnigate::store
