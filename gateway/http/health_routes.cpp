// /healthz: the process is up. /readyz: it can do its job (database reachable,
// schema current). /metrics: Prometheus text.
#include "gateway/db/migrator.h"
#include "gateway/http/api.h"
#include "gateway/http/front.h"

namespace omnigate::gateway::http {

void add_health_routes(Front& front) {
  front.route("GET", "/healthz", "/healthz", [](const httplib::Request&, httplib::Response& res) {
    Json::Value v(Json::objectValue);
    v["status"] = "ok";
    send_json(res, 200, v);
  });

  Services& s = front.services();
  front.route("GET", "/readyz", "/readyz", [&s](const httplib::Request&, httplib::Response& res) {
    Json::Value v(Json::objectValue);
    try {
      auto conn = s.pool.acquire(std::chrono::seconds(1));
      auto status = db::migration_status(*conn);
      v["database"] = "ok";
      v["schema_version"] = status.applied;
      v["schema_latest"] = status.latest;
      if (!status.current()) {
        v["status"] = "migrations_pending";
        return send_json(res, 503, v);
      }
    } catch (const db::PgError& e) {
      v["status"] = "database_unreachable";
      v["error"] = e.what();
      return send_json(res, 503, v);
    }
    v["status"] = "ready";
    send_json(res, 200, v);
  });

  front.route("GET", "/metrics", "/metrics", [&s](const httplib::Request&, httplib::Response& res) {
    res.set_content(s.metrics.render(), "text/plain; version=0.0.4");
  });
}

}  // namespace omnigate::gateway::http
