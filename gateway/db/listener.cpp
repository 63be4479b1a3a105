#include "gateway/db/listener.h"

#include <sys/select.h>

#include <chrono>

#include "gateway/db/pg.h"
#include "gateway/logging.h"

namespace omnigate::db {

PgListener::PgListener(std::string conninfo, std::string channel, Handler on_notify, Connected on_connected)
    : conninfo_(std::move(conninfo)),
      channel_(std::move(channel)),
      on_notify_(std::move(on_notify)),
      on_connected_(std::move(on_connected)) {}

PgListener::~PgListener() { stop(); }

void PgListener::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
}

void PgListener::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void PgListener::loop() {
  int backoff_ms = 100;
  bool connected_before = false;
  while (!stopping_) {
    try {
      PgConnection c(conninfo_);
      // The channel name is ours (a constant of the caller), never input.
      c.exec("LISTEN " + channel_);
      backoff_ms = 100;
      if (on_connected_) on_connected_(connected_before);
      connected_before = true;
      while (!stopping_) {
        int fd = PQsocket(c.raw());
        fd_set set;
        FD_ZERO(&set);
        FD_SET(fd, &set);
        timeval tv{0, 200 * 1000};  // wake now and then to notice stop()
        if (select(fd + 1, &set, nullptr, nullptr, &tv) < 0) continue;
        if (!PQconsumeInput(c.raw())) throw PgError("listener lost its connection", "08006");
        while (PGnotify* n = PQnotifies(c.raw())) {
          std::string payload = n->extra;
          PQfreemem(n);
          on_notify_(payload);
        }
      }
    } catch (const std::exception& e) {
      if (stopping_) break;
      spdlog::warn("event=db.listen_failed channel={} error={} retry_ms={}", channel_, gateway::q(e.what()), backoff_ms);
      for (int waited = 0; waited < backoff_ms && !stopping_; waited += 50)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      backoff_ms = std::min(backoff_ms * 2, 5000);
    }
  }
}

}  // namespace omnigate::db
