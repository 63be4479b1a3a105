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

                schema::Message m;
                m.conversation_id = conversation->id;
                m.channel_id = conversation->channel_id;
                m.sender = {schema::SenderType::agent, std::to_string(agent.id), agent.name.empty() ? agent.login : agent.name};
                bool is_private = body.get("private", false).asBool();
                m.direction = is_private ? schema::Direction::note : schema::Direction::out;
                m.delivery_status = is_private ? schema::DeliveryStatus::none : schema::DeliveryStatus::pending;
                if (body.isMember("text")) {
                  if (!body["text"].isString() || body["text"].asString().empty())
                    throw ApiError(400, "bad_request", "text: expected a non-empty string");
                  schema::Part p;
                  p.text = body["text"].asString();
                  m.parts.push_back(std::move(p));
                }
                if (body.isMember("parts")) {
                  if (!body["parts"].isArray()) throw ApiError(400, "bad_request", "parts: expected an array");
                  for (Json::ArrayIndex i = 0; i < body["parts"].size(); ++i) {
                    try {
                      m.parts.push_back(schema::part_from_json(body["parts"][i]));
                    } catch (const schema::InvalidJson& e) {
                      throw ApiError(400, "bad_request", "parts[" + std::to_string(i) + "]: " + e.what());
                    }
                  }
                }
                if (m.parts.empty()) throw ApiError(400, "bad_request", "a reply needs `text` or `parts`");
                if (body.isMember("client_msg_id")) {
                  const Json::Value& id = body["client_msg_id"];
                  if (!id.isString() || id.asString().empty() || id.asString().size() > 128)
                    throw ApiError(400, "bad_request", "client_msg_id: expected a string of 1 to 128 characters");
                  // Scoped to the agent, so two agents' ids never collide.
                  m.external_id = "agent:" + std::to_string(agent.id) + ":" + id.asString();
                }

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
