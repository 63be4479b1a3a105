// Delivery of agents' replies, after the fact:
//   POST /v1/conversations/{id}/messages/{message_id}/retry
//     -> 200 the message, back in the outbox: delivery_status "pending",
//        delivery_error cleared, attempts counted afresh, due now.
//     409 not_failed unless its delivery failed (pending, sent, inbound,
//     a private note); 404 when the caller may not see the conversation or
//     the conversation has no such outbound message.
// Re-posting a reply's client_msg_id cannot do this: it answers the first
// reply and sends nothing. The state change reaches agents' sockets as
// message.updated (gateway/realtime/delivery_feed.h).
#include "gateway/http/api.h"
#include "gateway/http/conversation_access.h"
#include "gateway/http/front.h"
#include "schema/json.h"

namespace omnigate::gateway::http {

void add_delivery_routes(Front& front) {
  Services& s = front.services();

  front.route("POST", R"(/v1/conversations/(\d+)/messages/(\d+)/retry)",
              "/v1/conversations/{id}/messages/{message_id}/retry",
              [&s](const httplib::Request& req, httplib::Response& res) {
                auto user = require_user(s, req);
                std::int64_t id = path_id(req, 1);
                visible_conversation(s, user, id);
                auto retry = s.outbox.retry_failed(id, path_id(req, 2));
                using Outcome = store::OutboxStore::Retry::Outcome;
                if (retry.outcome == Outcome::not_found)
                  throw ApiError(404, "not_found", "no such outbound message in this conversation");
                if (retry.outcome == Outcome::not_failed)
                  throw ApiError(409, "not_failed", "only a message whose delivery failed can be sent again");
                s.dispatcher.wake();
                send_json(res, 200, schema::to_json(retry.message));
              });
}

}  // namespace omnigate::gateway::http
