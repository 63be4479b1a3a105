#include "gateway/realtime/pg_event_bus.h"

#include "adapters/common/crypto.h"
#include "gateway/logging.h"
#include "schema/json.h"

namespace omnigate::gateway::realtime {
namespace {

constexpr const char* kChannel = "omnigate_events";
constexpr size_t kIdsPerNotify = 500;  // ~10 bytes an id: well under 8000 bytes

}  // namespace

PgEventBus::PgEventBus(std::string conninfo, store::MessageStore& messages, db::ConnectionPool& pool, bool share)
    : conninfo_(std::move(conninfo)), messages_(messages), pool_(pool), node_id_(crypto::random_token(9)), share_(share) {}

PgEventBus::~PgEventBus() { stop(); }

void PgEventBus::subscribe(Handler handler) { local_.subscribe(std::move(handler)); }

void PgEventBus::publish(const std::vector<MessageEvent>& events) {
  local_.publish(events);
  if (events.empty() || !share_) return;
  try {
    auto conn = pool_.acquire();
    for (size_t at = 0; at < events.size(); at += kIdsPerNotify) {
      Json::Value payload(Json::objectValue);
      payload["n"] = node_id_;
      Json::Value& ids = payload["m"] = Json::Value(Json::arrayValue);
      for (size_t i = at; i < std::min(events.size(), at + kIdsPerNotify); ++i)
        ids.append(Json::Int64(events[i].message.id));
      conn->exec_prepared("og_notify_events", "SELECT pg_notify($1, $2)", {kChannel, schema::write_json(payload)});
    }
  } catch (const std::exception& e) {
    // The messages are stored; other nodes' clients catch up on resume.
    spdlog::warn("event=bus.notify_failed error={}", q(e.what()));
  }
}

void PgEventBus::start() {
  if (!share_) return;
  listener_ = std::make_unique<db::PgListener>(
      conninfo_, kChannel, [this](const std::string& payload) { deliver_remote(payload); },
      [this](bool after_a_loss) {
        if (after_a_loss && on_missed_) on_missed_();
      });
  listener_->start();
}

void PgEventBus::stop() {
  if (listener_) listener_->stop();
}

void PgEventBus::deliver_remote(const std::string& payload) {
  try {
    Json::Value p = schema::parse_json(payload);
    if (p["n"].asString() == node_id_) return;  // our own: already delivered locally
    std::vector<std::int64_t> ids;
    for (const auto& id : p["m"]) ids.push_back(id.asInt64());
    std::vector<MessageEvent> events;
    for (auto& m : messages_.by_ids(ids)) events.push_back({std::move(m)});
    local_.publish(events);
  } catch (const std::exception& e) {
    spdlog::warn("event=bus.remote_event_failed error={}", q(e.what()));
  }
}

}  // namespace omnigate::gateway::realtime
