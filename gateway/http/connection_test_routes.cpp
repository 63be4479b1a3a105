// POST /v1/admin/channels/{id}/test (admin): runs the channel adapter's
// connection test (adapters::Adapter::test_connection) against the channel
// as saved, enabled or not, so an admin can check credentials before
// switching a channel on. Answers
//   {"channel_id", "ok": every check passed, "checks": [{"name","ok","detail","ms"}]}
// with an empty list for channel types that reach nothing themselves (web,
// app, a webhook channel without outbound_url). 404 for no such channel.
// Each run is in the audit log with which checks failed (never their text:
// it may quote server answers).
#include "adapters/registry.h"
#include "gateway/http/api.h"
#include "gateway/http/front.h"
#include "gateway/store/audit_store.h"

namespace omnigate::gateway::http {

void add_connection_test_routes(Front& front) {
  Services& s = front.services();
  auto audit = std::make_shared<store::AuditStore>(s.pool);
  front.route("POST", R"(/v1/admin/channels/(\d+)/test)", "/v1/admin/channels/{id}/test",
              [&s, audit](const httplib::Request& req, httplib::Response& res) {
                schema::Agent admin = require_admin(s, req);
                std::int64_t id = path_id(req, 1);
                auto channel = s.channels.get(id);
                if (!channel) throw ApiError(404, "not_found", "no such channel");
                const adapters::Adapter* adapter = s.adapters.find(channel->type);
                if (!adapter)
                  throw ApiError(400, "unsupported_channel_type", "this build has no adapter for the channel's type");

                std::vector<adapters::ConnectionCheck> checks = adapter->test_connection(*channel);
                Json::Value out(Json::objectValue);
                out["channel_id"] = Json::Int64(id);
                out["ok"] = true;
                out["checks"] = Json::Value(Json::arrayValue);
                Json::Value failed(Json::arrayValue);
                for (const adapters::ConnectionCheck& c : checks) {
                  Json::Value j(Json::objectValue);
                  j["name"] = c.name;
                  j["ok"] = c.ok;
                  j["detail"] = c.detail;
                  j["ms"] = Json::Int64(c.took.count());
                  out["checks"].append(j);
                  if (!c.ok) {
                    out["ok"] = false;
                    failed.append(c.name);
                  }
                }
                Json::Value detail(Json::objectValue);
                detail["ok"] = out["ok"];
                detail["failed"] = failed;
                audit->record({admin.id, "channel.tested", "channel", id, detail});
                send_json(res, 200, out);
              });
}

}  // namespace omnigate::gateway::http
