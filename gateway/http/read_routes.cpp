// Agents' read marks (gateway/store/read_mark_store.h):
//   PUT /v1/conversations/{id}/read {"seq": N}
//     -> {"conversation_id", "read_seq", "unread"}: the caller's mark moved
//        forward to N (never back, never past the last message), for a
//        conversation they may see (404 otherwise, as everywhere).
// The caller's other sockets, on any node, get
//   {"type":"conversation.read","conversation":id,"read_seq":n}
// through the conversation feed. The conversation JSON of GET
// /v1/conversations[/{id}] carries the caller's "read_seq" and "unread"
// (with_read_state below).
#include "gateway/http/read_state.h"

#include "gateway/http/api.h"
#include "gateway/http/conversation_access.h"
#include "gateway/http/front.h"

namespace omnigate::gateway::http {

void with_read_state(store::ReadMarkStore& reads, std::int64_t agent_id, const std::vector<Json::Value*>& conversations) {
  std::vector<std::int64_t> ids;
  for (const Json::Value* c : conversations) ids.push_back((*c)["id"].asInt64());
  auto states = reads.states(agent_id, ids);
  for (Json::Value* c : conversations) {
    const store::ReadState& st = states[(*c)["id"].asInt64()];
    (*c)["read_seq"] = Json::Int64(st.read_seq);
    (*c)["unread"] = Json::Int64(st.unread);
  }
}

void add_read_routes(Front& front) {
  Services& s = front.services();
  auto reads = std::make_shared<store::ReadMarkStore>(s.pool);
  front.route("PUT", R"(/v1/conversations/(\d+)/read)", "/v1/conversations/{id}/read",
              [&s, reads](const httplib::Request& req, httplib::Response& res) {
                auto user = require_user(s, req);
                std::int64_t id = path_id(req, 1);
                visible_conversation(s, user, id);
                Json::Value body = json_body(req);
                const Json::Value& seq = body["seq"];
                if (!seq.isIntegral() || seq.asInt64() < 0)
                  throw ApiError(400, "bad_request", "seq: expected the seq of the last message read (an integer >= 0)");
                if (reads->mark(user.id, id, seq.asInt64()) < 0) throw ApiError(404, "not_found", "no such conversation");
                store::ReadState now = reads->states(user.id, {id})[id];
                Json::Value out(Json::objectValue);
                out["conversation_id"] = Json::Int64(id);
                out["read_seq"] = Json::Int64(now.read_seq);
                out["unread"] = Json::Int64(now.unread);
                send_json(res, 200, out);
              });
}

}  // namespace omnigate::gateway::http
