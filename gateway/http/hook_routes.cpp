// GET|POST /v1/hooks/{token}: the inbound path of every push channel.
// Adapter verifies and normalizes -> group commit persists -> only then does
// the channel get its answer. If the store cannot commit in time the channel
// gets 503 and retries; it never gets a success for an unsaved message.
#include <future>

#include "gateway/http/api.h"
#include "gateway/http/front.h"
#include "gateway/logging.h"
#include "schema/json.h"

namespace omnigate::gateway::http {
namespace {

adapters::InboundRequest to_inbound(const httplib::Request& req) {
  adapters::InboundRequest in;
  in.method = req.method;
  in.path = req.path;
  for (const auto& [k, v] : req.params) in.query.emplace(k, v);
  for (const auto& [k, v] : req.headers) in.headers.emplace(k, v);
  in.body = req.body;
  in.remote_addr = req.remote_addr;
  return in;
}

Json::Value stored_json(const std::vector<store::StoredMessage>& stored) {
  Json::Value out(Json::objectValue);
  Json::Value& list = out["messages"] = Json::Value(Json::arrayValue);
  for (const auto& s : stored) {
    Json::Value m(Json::objectValue);
    m["id"] = Json::Int64(s.message.id);
    m["conversation_id"] = Json::Int64(s.message.conversation_id);
    m["seq"] = Json::Int64(s.message.seq);
    if (!s.message.external_id.empty()) m["external_id"] = s.message.external_id;
    m["duplicate"] = s.duplicate;
    list.append(m);
  }
  return out;
}

}  // namespace

void add_hook_routes(Front& front) {
  Services& s = front.services();
  Counter& ingested = s.metrics.counter("omnigate_ingest_messages_total", "Messages stored by the inbound path", "result=\"stored\"");
  Counter& duplicates = s.metrics.counter("omnigate_ingest_messages_total", "Messages stored by the inbound path", "result=\"duplicate\"");
  Counter& timeouts = s.metrics.counter("omnigate_ingest_timeouts_total", "Inbound requests answered 503 because the store was slow");

  auto handle = [&s, &ingested, &duplicates, &timeouts](const httplib::Request& req, httplib::Response& res) {
    auto channel = s.channel_cache.find_by_token(req.matches[1].str());
    if (!channel) throw ApiError(404, "not_found", "no channel has this inbound URL");
    if (!channel->enabled) throw ApiError(403, "channel_disabled", "this channel is disabled");
    const adapters::Adapter* adapter = s.adapters.find(channel->type);
    if (!adapter) throw ApiError(501, "unsupported_channel_type", "this build has no adapter for the channel's type");

    adapters::Ingest ingest = adapter->ingest(*channel, to_inbound(req));
    // Channels whose messages need the store first (email: threading,
    // attachment bytes) have a preparer; it may drop messages too.
    if (InboundPreparer* preparer = s.preparers.find(channel->type)) preparer->prepare(*channel, ingest);
    std::vector<store::StoredMessage> stored;
    if (!ingest.messages.empty()) {
      auto future = s.group_commit.submit(std::move(ingest.messages));
      if (future.wait_for(std::chrono::milliseconds(s.config.ingest_timeout_ms)) != std::future_status::ready) {
        timeouts.inc();
        spdlog::warn("event=ingest.timeout channel={} timeout_ms={}", channel->id, s.config.ingest_timeout_ms);
        throw ApiError(503, "store_timeout", "the message could not be stored in time; retry");
      }
      stored = future.get();  // rethrows the store's error (-> 503)
      for (const auto& m : stored) (m.duplicate ? duplicates : ingested).inc();
    }
    // Follow-up pulls (微信客服 kf/sync_msg) run in the background: queueing
    // them is all that happens before the answer.
    if (!ingest.pulls.empty()) s.puller.submit(*channel, std::move(ingest.pulls));
    if (ingest.answer_with_stored_messages) return send_json(res, 200, stored_json(stored));
    res.status = ingest.answer.status;
    res.set_content(ingest.answer.body, ingest.answer.content_type.c_str());
  };
  const std::string pattern = R"(/v1/hooks/([A-Za-z0-9_\-]{8,128}))";
  front.route("POST", pattern, "/v1/hooks/{token}", handle);
  front.route("GET", pattern, "/v1/hooks/{token}", handle);
}

}  // namespace omnigate::gateway::http
