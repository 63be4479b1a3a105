// The agent read API (the workbench issue extends it):
//   GET /v1/conversations?cursor=&limit=       -> {"items":[...], "next": cursor|null}
//   GET /v1/conversations/{id}
//   GET /v1/conversations/{id}/messages?after_seq=&limit= -> {"items":[...], "next": after_seq|null}
//   POST /v1/conversations/{id}/messages {"text"|"parts", "client_msg_id"?, "private"?}
//     -> 201 the stored reply (delivery_status "pending"; "none" for a private note).
//     The reply and its outbox row are committed together; the dispatcher
//     sends it through the conversation's channel. Repeating a client_msg_id
//     returns the first reply (200, "duplicate": true) and sends nothing twice.
#include <future>

#include "gateway/http/api.h"
#include "gateway/http/front.h"
#include "gateway/replies.h"
#include "schema/json.h"

namespace omnigate::gateway::http {

void add_conversation_routes(Front& front) {
  Services& s = front.services();

  front.route("GET", "/v1/conversations", "/v1/conversations", [&s](const httplib::Request& req, httplib::Response& res) {
    require_user(s, req);
    int limit = static_cast<int>(int_param(req, "limit", 50, 1, 200));
    store::ConversationPage page;
    try {
      page = s.conversations.list(req.get_param_value("cursor"), limit);
    } catch (const std::invalid_argument& e) {
      throw ApiError(400, "bad_request", e.what());
    }
    Json::Value out(Json::objectValue);
    out["items"] = Json::Value(Json::arrayValue);
    for (const auto& c : page.items) out["items"].append(schema::to_json(c));
    out["next"] = page.next.empty() ? Json::Value::null : Json::Value(page.next);
    send_json(res, 200, out);
  });

  front.route("GET", R"(/v1/conversations/(\d+))", "/v1/conversations/{id}",
              [&s](const httplib::Request& req, httplib::Response& res) {
                require_user(s, req);
                auto c = s.conversations.get(path_id(req, 1));
                if (!c) throw ApiError(404, "not_found", "no such conversation");
                send_json(res, 200, schema::to_json(*c));
              });

  front.route("GET", R"(/v1/conversations/(\d+)/messages)", "/v1/conversations/{id}/messages",
              [&s](const httplib::Request& req, httplib::Response& res) {
                require_user(s, req);
                std::int64_t id = path_id(req, 1);
                if (!s.conversations.get(id)) throw ApiError(404, "not_found", "no such conversation");
                std::int64_t after = int_param(req, "after_seq", 0, 0, INT64_MAX);
                int limit = static_cast<int>(int_param(req, "limit", 100, 1, 500));
                auto page = s.messages.history(id, after, limit);
                Json::Value out(Json::objectValue);
                out["items"] = Json::Value(Json::arrayValue);
                for (const auto& m : page.items) out["items"].append(schema::to_json(m));
                out["next"] = page.more ? Json::Value(Json::Int64(page.items.back().seq)) : Json::Value::null;
                send_json(res, 200, out);
              });

  front.route("POST", R"(/v1/conversations/(\d+)/messages)", "/v1/conversations/{id}/messages",
              [&s](const httplib::Request& req, httplib::Response& res) {
                auto agent = require_user(s, req);
                auto conversation = s.conversations.get(path_id(req, 1));
                if (!conversation) throw ApiError(404, "not_found", "no such conversation");
                Json::Value body = json_body(req);

                schema::Message m = agent_reply(agent, *conversation, body);

                auto future = s.group_commit.submit({std::move(m)});
                if (future.wait_for(std::chrono::milliseconds(s.config.ingest_timeout_ms)) != std::future_status::ready)
                  throw ApiError(503, "store_timeout", "the reply could not be stored in time; retry with the same client_msg_id");
                auto stored = future.get().at(0);
                if (!stored.duplicate && stored.message.delivery_status == schema::DeliveryStatus::pending)
                  s.dispatcher.wake();
                Json::Value out = schema::to_json(stored.message);
                out["duplicate"] = stored.duplicate;
                send_json(res, stored.duplicate ? 200 : 201, out);
              });
}

}  // namespace omnigate::gateway::http
