#pragma once
// LISTEN on one PostgreSQL channel from a thread of its own, on a connection
// of its own (a pooled connection would hand the notifications to whoever
// borrows it next). A lost connection is reopened with backoff; since
// notifications sent meanwhile are gone, `on_connected` runs after every
// (re)connect so the owner can catch up from the tables; its argument says
// whether this connect follows a lost one (false the first time).
#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace omnigate::db {

class PgListener {
 public:
  using Handler = std::function<void(const std::string& payload)>;
  using Connected = std::function<void(bool after_a_loss)>;

  PgListener(std::string conninfo, std::string channel, Handler on_notify, Connected on_connected = {});
  ~PgListener();  // stop()
  PgListener(const PgListener&) = delete;
  PgListener& operator=(const PgListener&) = delete;

  void start();
  void stop();

 private:
  void loop();

  const std::string conninfo_;
  const std::string channel_;
  Handler on_notify_;
  Connected on_connected_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace omnigate::db
