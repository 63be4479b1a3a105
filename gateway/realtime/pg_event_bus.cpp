#include "gateway/realtime/pg_event_bus.h"

#include <sys/select.h>

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
  if (share_) listener_ = std::thread([this] { listen_loop(); });
}

void PgEventBus::stop() {
  stopping_ = true;
  if (listener_.joinable()) listener_.join();
}

void PgEventBus::listen_loop() {
  int backoff_ms = 100;
  while (!stopping_) {
    try {
      db::PgConnection c(conninfo_);
      c.exec(std::string("LISTEN ") + kChannel);
      backoff_ms = 100;
      while (!stopping_) {
        int fd = PQsocket(c.raw());
        fd_set set;
        FD_ZERO(&set);
        FD_SET(fd, &set);
        timeval tv{0, 200 * 1000};  // wake now and then to notice stop()
        if (select(fd + 1, &set, nullptr, nullptr, &tv) < 0) continue;
        if (!PQconsumeInput(c.raw())) throw db::PgError("event listener lost its connection", "08006");
        while (PGnotify* n = PQnotifies(c.raw())) {
          std::string payload = n->extra;
          PQfreemem(n);
          deliver_remote(payload);
        }
      }
    } catch (const std::exception& e) {
      if (stopping_) break;
      spdlog::warn("event=bus.listen_failed error={} retry_ms={}", q(e.what()), backoff_ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
      backoff_ms = std::min(backoff_ms * 2, 5000);
    }
  }
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
