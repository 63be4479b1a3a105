// POST /v1/admin/channels/{id}/poll (admin): polls an email channel's IMAP
// mailbox now instead of at its next interval, and answers with what that
// poll did: {"polled","skipped","fetched","stored","duplicates","dropped",
// "unreadable","error"}. 404 when the channel does not exist; a channel that
// is not polled (no imap block, disabled, not email) answers skipped
// "not_polled".
#include <future>

#include "gateway/http/api.h"
#include "gateway/http/front.h"

namespace omnigate::gateway::http {

void add_poll_routes(Front& front) {
  Services& s = front.services();
  front.route("POST", R"(/v1/admin/channels/(\d+)/poll)", "/v1/admin/channels/{id}/poll",
              [&s](const httplib::Request& req, httplib::Response& res) {
                require_admin(s, req);
                std::int64_t id = path_id(req, 1);
                if (!s.channels.get(id)) throw ApiError(404, "not_found", "no such channel");
                auto future = s.imap_poller.poll_now(id);
                // A poll fetches at most a few hundred mails, each bounded by
                // the IMAP and commit timeouts; past this the answer says so
                // and the poll carries on.
                if (future.wait_for(std::chrono::seconds(120)) != std::future_status::ready)
                  throw ApiError(504, "poll_timeout", "the poll is still running; see the log for its result");
                PollReport r = future.get();
                Json::Value out(Json::objectValue);
                out["polled"] = r.polled;
                out["skipped"] = r.skipped.empty() ? Json::Value::null : Json::Value(r.skipped);
                out["fetched"] = r.fetched;
                out["stored"] = r.stored;
                out["duplicates"] = r.duplicates;
                out["dropped"] = r.dropped;
                out["unreadable"] = r.unreadable;
                out["error"] = r.error.empty() ? Json::Value::null : Json::Value(r.error);
                send_json(res, 200, out);
              });
}

}  // namespace omnigate::gateway::http
