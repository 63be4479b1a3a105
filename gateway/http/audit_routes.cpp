// The audit log, for admins:
//   GET /v1/admin/audit?cursor=&limit=&action=&target_type=&target_id=
//     -> {"items":[{"id","at","actor","action","target_type","target_id","detail"}], "next": cursor|null}
//     newest first.
#include <memory>

#include "gateway/http/api.h"
#include "gateway/http/front.h"
#include "gateway/store/audit_store.h"

namespace omnigate::gateway::http {

void add_audit_routes(Front& front) {
  Services& s = front.services();
  auto audit = std::make_shared<store::AuditStore>(s.pool);

  front.route("GET", "/v1/admin/audit", "/v1/admin/audit", [&s, audit](const httplib::Request& req, httplib::Response& res) {
    require_admin(s, req);
    store::AuditFilter f;
    f.action = req.get_param_value("action");
    f.target_type = req.get_param_value("target_type");
    if (req.has_param("target_id")) f.target_id = int_param(req, "target_id", 0, 1, INT64_MAX);
    std::optional<std::int64_t> before;
    if (req.has_param("cursor")) before = int_param(req, "cursor", 0, 1, INT64_MAX);
    int limit = static_cast<int>(int_param(req, "limit", 50, 1, 500));
    auto page = audit->list(f, before, limit);
    Json::Value out(Json::objectValue);
    out["items"] = Json::Value(Json::arrayValue);
    for (const auto& r : page.items) out["items"].append(store::to_json(r));
    out["next"] = page.next ? Json::Value(Json::Int64(*page.next)) : Json::Value::null;
    send_json(res, 200, out);
  });
}

}  // namespace omnigate::gateway::http
