// The app channel's plain-HTTP fallback, for clients that cannot keep a
// socket (background fetches, restrictive networks). Same identities and
// message rules as the realtime protocol:
//   POST /v1/app/messages {"channel":KEY, "identity"|"visitor", "client_msg_id", "text"|"parts"}
//     -> 201 {"id","seq","conversation","client_msg_id","duplicate"} once stored
//   GET  /v1/app/sync?channel=KEY&identity=|visitor=&conversation=ID&after_seq=N&timeout=S
//     -> {"items":[messages after N, visitor view], "next": last seq, "queue"?: {"conversation",
//        "queued", "position", "estimated_wait_s"} while it waits for an agent}; with
//        nothing new it waits up to S seconds (max 30) for the next message.
// The identity may also come in the X-Omnigate-Identity header.
#include <algorithm>
#include <condition_variable>
#include <future>
#include <mutex>

#include "adapters/app/app_adapter.h"
#include "adapters/common/visitor.h"
#include "gateway/http/api.h"
#include "gateway/http/front.h"
#include "gateway/realtime/visitor_view.h"
#include "schema/json.h"

namespace omnigate::gateway::http {
namespace {

constexpr int kMaxWaitSeconds = 30;

// Wakes a waiting sync request when its conversation gets a message.
class Waiter : public realtime::Subscriber {
 public:
  void push(const schema::Message&) override {
    std::lock_guard lk(mu_);
    woken_ = true;
    cv_.notify_all();
  }
  void push_signal(const Json::Value&) override {}
  void wait(std::chrono::seconds timeout) {
    std::unique_lock lk(mu_);
    cv_.wait_for(lk, timeout, [&] { return woken_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
};

struct Caller {
  schema::Channel channel;
  adapters::Visitor visitor;
};

Caller caller(Services& s, const std::string& key, const std::string& identity, const std::string& visitor_id) {
  auto ch = s.channels.find_by_public_key(key);
  if (!ch || !ch->enabled || ch->type != schema::ChannelType::app)
    throw ApiError(404, "unknown_channel", "no enabled app channel has this key");
  return {*ch, adapters::app::visitor_for(*ch, identity, visitor_id)};
}

}  // namespace

void add_app_routes(Front& front) {
  Services& s = front.services();

  front.route("POST", "/v1/app/messages", "/v1/app/messages", [&s](const httplib::Request& req, httplib::Response& res) {
    Json::Value body = json_body(req);
    std::string identity = body.get("identity", req.get_header_value("X-Omnigate-Identity")).asString();
    Caller who = caller(s, body.get("channel", "").asString(), identity, body.get("visitor", "").asString());
    schema::Message m = adapters::message_from_send(who.channel, who.visitor, body);
    auto future = s.group_commit.submit({std::move(m)});
    if (future.wait_for(std::chrono::milliseconds(s.config.ingest_timeout_ms)) != std::future_status::ready)
      throw ApiError(503, "store_timeout", "the message could not be stored in time; retry with the same client_msg_id");
    auto stored = future.get().at(0);
    Json::Value out(Json::objectValue);
    out["id"] = Json::Int64(stored.message.id);
    out["seq"] = Json::Int64(stored.message.seq);
    out["conversation"] = Json::Int64(stored.message.conversation_id);
    out["client_msg_id"] = body["client_msg_id"];
    out["duplicate"] = stored.duplicate;
    send_json(res, stored.duplicate ? 200 : 201, out);
  });

  front.route("GET", "/v1/app/sync", "/v1/app/sync", [&s](const httplib::Request& req, httplib::Response& res) {
    std::string identity = req.has_param("identity") ? req.get_param_value("identity") : req.get_header_value("X-Omnigate-Identity");
    Caller who = caller(s, req.get_param_value("channel"), identity, req.get_param_value("visitor"));
    std::int64_t conversation = int_param(req, "conversation", 0, 1, INT64_MAX);
    if (conversation == 0) throw ApiError(400, "bad_request", "conversation: required");
    std::int64_t after = int_param(req, "after_seq", 0, 0, INT64_MAX);
    auto timeout = std::chrono::seconds(int_param(req, "timeout", 25, 0, kMaxWaitSeconds));
    auto mine = s.conversations.of_contact(who.channel.id, who.visitor.id, {conversation});
    if (std::find(mine.begin(), mine.end(), conversation) == mine.end())
      throw ApiError(404, "not_found", "no such conversation for this user");

    // Subscribe before reading, so a message committed in between wakes us.
    auto waiter = std::make_shared<Waiter>();
    s.hub.follow(conversation, waiter);
    auto page = s.messages.history(conversation, after, 200);
    bool visible = false;
    for (const auto& m : page.items) visible = visible || m.direction != schema::Direction::note;
    if (!visible && timeout.count() > 0) {
      waiter->wait(timeout);
      page = s.messages.history(conversation, after, 200);
    }
    waiter.reset();
    s.hub.prune({conversation});
    Json::Value out(Json::objectValue);
    out["items"] = Json::Value(Json::arrayValue);
    std::int64_t next = after;
    for (const auto& m : page.items) {
      next = m.seq;  // notes are skipped but still move the cursor
      if (m.direction != schema::Direction::note) out["items"].append(realtime::visitor_message(m));
    }
    out["next"] = Json::Int64(next);
    // While it waits for an agent: its place in the queue (QueueMonitor).
    if (s.queue.estimate(conversation)) {
      Json::Value queue = s.queue.queue_frame(conversation);
      queue.removeMember("type");
      out["queue"] = queue;
    }
    send_json(res, 200, out);
  });
}

}  // namespace omnigate::gateway::http
