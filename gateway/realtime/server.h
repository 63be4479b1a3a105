#pragma once
// The realtime hub's WebSocket server (Boost.Beast on asio): a few I/O
// threads serve every connection, no thread per socket. Endpoints:
//   /v1/ws/visitor[?channel=KEY]   web visitors and app clients
//   /v1/ws/agent?token=BEARER      agents
// Blocking work (database lookups, history for replay) runs on a small
// separate pool so the I/O threads never wait on PostgreSQL.
#include <memory>
#include <string>

#include "gateway/realtime/hub.h"
#include "gateway/services.h"

namespace omnigate::gateway::realtime {

struct ServerOptions {
  std::string listen;  // HOST:PORT
  int io_threads = 2;
  int blocking_threads = 2;
  size_t max_message_bytes = 64 * 1024;  // larger frames: close 1008 (policy violation)
  int idle_timeout_s = 60;               // pings at half of it; silent peers are dropped
  size_t send_queue_limit = 256;         // frames; a reader this far behind is disconnected
  int presence_grace_ms = 15000;         // an agent's last socket closed this long ago: offline
  int presence_heartbeat_s = 20;         // this node's sockets are refreshed; 3x stale = a dead node's
};

class Server {
 public:
  Server(ServerOptions options, Services& services, Hub& hub);
  ~Server();
  int bind();     // returns the bound port
  void start();   // I/O threads begin accepting
  // Stops accepting, closes every socket with a close frame (1001 going
  // away), and joins the threads.
  void stop();
  size_t connections() const;

  struct Impl;  // public so the sessions in server.cpp can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace omnigate::gateway::realtime
