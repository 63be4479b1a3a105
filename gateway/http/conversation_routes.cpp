// The agent read API. Every route sees only what the caller may see
// (workbench/access/conversation_access.h; anything else is 404):
//   GET /v1/conversations?view=all|mine|team|queued&status=&channel=&tag=&q=&contact=&cursor=&limit=
//       -> {"items":[...], "next": cursor|null}; status is one or a
//          comma-separated list, channel an id or a channel type, q a
//          substring of the contact's name or a message's text.
//   GET /v1/conversations/{id}
//   GET /v1/conversations/{id}/messages?after_seq=&limit= -> {"items":[...], "next": after_seq|null}
//   POST /v1/conversations/{id}/messages {"text"|"parts", "client_msg_id"?, "private"?}
//     -> 201 the stored reply (delivery_status "pending"; "none" for a private note).
//     The reply and its outbox row are committed together; the dispatcher
//     sends it through the conversation's channel. Repeating a client_msg_id
//     returns the first reply (200, "duplicate": true) and sends nothing twice.
// The conversation JSON is store::to_json(ConversationView): the model's
// fields plus assignee, team, contact, channel, waiting_s, last_message, offer,
// and the caller's read_seq and unread (read_routes.cpp).
// Changes (resolve, transfer...) are in conversation_action_routes.cpp.
#include <future>

#include "gateway/http/api.h"
#include "gateway/http/conversation_access.h"
#include "gateway/http/front.h"
#include "gateway/http/read_state.h"
#include "gateway/replies.h"
#include "schema/json.h"

namespace omnigate::gateway::http {
namespace {

using View = store::ConversationFilter::View;

View view_param(const httplib::Request& req) {
  if (!req.has_param("view")) return View::all;
  const std::string v = req.get_param_value("view");
  if (v == "all") return View::all;
  if (v == "mine") return View::mine;
  if (v == "team") return View::team;
  if (v == "queued") return View::queued;
  throw ApiError(400, "bad_request", "view: expected all, mine, team or queued");
}

std::vector<schema::ConversationStatus> status_param(const httplib::Request& req) {
  std::vector<schema::ConversationStatus> out;
  if (!req.has_param("status")) return out;
  std::string list = req.get_param_value("status");
  size_t at = 0;
  while (at <= list.size()) {
    size_t comma = list.find(',', at);
    std::string name = list.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    try {
      out.push_back(schema::conversation_status_from_string(name));
    } catch (const schema::InvalidJson&) {
      throw ApiError(400, "bad_request", "status: expected bot, queued, assigned, snoozed or resolved");
    }
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return out;
}

store::ConversationFilter filter_of(const httplib::Request& req) {
  store::ConversationFilter f;
  f.view = view_param(req);
  f.statuses = status_param(req);
  if (req.has_param("channel")) {
    const std::string ch = req.get_param_value("channel");
    if (!ch.empty() && ch.find_first_not_of("0123456789") == std::string::npos) {
      f.channel_id = int_param(req, "channel", 0, 1, INT64_MAX);
    } else if (auto type = schema::channel_type_from_string(ch)) {
      f.channel_type = std::string(schema::to_string(*type));
    } else {
      throw ApiError(400, "bad_request", "channel: expected a channel id or type");
    }
  }
  f.tag = req.get_param_value("tag");
  if (req.has_param("contact")) f.contact_id = int_param(req, "contact", 0, 1, INT64_MAX);
  f.text = req.get_param_value("q");
  if (f.text.size() > 200) throw ApiError(400, "bad_request", "q: at most 200 bytes");
  return f;
}

}  // namespace

void add_conversation_routes(Front& front) {
  Services& s = front.services();
  auto reads = std::make_shared<store::ReadMarkStore>(s.pool);

  front.route("GET", "/v1/conversations", "/v1/conversations", [&s, reads](const httplib::Request& req, httplib::Response& res) {
    auto user = require_user(s, req);
    int limit = static_cast<int>(int_param(req, "limit", 50, 1, 200));
    store::ConversationViewPage page;
    try {
      page = s.conversations.list(workbench::viewer_of(user), filter_of(req), req.get_param_value("cursor"), limit);
    } catch (const std::invalid_argument& e) {
      throw ApiError(400, "bad_request", e.what());
    }
    Json::Value out(Json::objectValue);
    out["items"] = Json::Value(Json::arrayValue);
    std::vector<Json::Value*> items;
    for (const auto& c : page.items) items.push_back(&out["items"].append(store::to_json(c)));
    with_read_state(*reads, user.id, items);
    out["next"] = page.next.empty() ? Json::Value::null : Json::Value(page.next);
    send_json(res, 200, out);
  });

  front.route("GET", R"(/v1/conversations/(\d+))", "/v1/conversations/{id}",
              [&s, reads](const httplib::Request& req, httplib::Response& res) {
                auto user = require_user(s, req);
                Json::Value out = store::to_json(visible_conversation(s, user, path_id(req, 1)));
                with_read_state(*reads, user.id, {&out});
                send_json(res, 200, out);
              });

  front.route("GET", R"(/v1/conversations/(\d+)/messages)", "/v1/conversations/{id}/messages",
              [&s](const httplib::Request& req, httplib::Response& res) {
                auto user = require_user(s, req);
                std::int64_t id = path_id(req, 1);
                visible_conversation(s, user, id);
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
                auto conversation = visible_conversation(s, agent, path_id(req, 1)).conversation;
                Json::Value body = json_body(req);

                schema::Message m = agent_reply(agent, conversation, body);

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
