#pragma once
// Gateway settings. Precedence, lowest first: built-in defaults, the JSON
// config file (--config), OMNIGATE_* environment variables, command-line flags.
#include <cstdint>
#include <stdexcept>
#include <string>

#include <json/value.h>

namespace omnigate::gateway {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct HostPort {
  std::string host;
  int port = 0;
};
// "127.0.0.1:8080", "[::1]:8080", "localhost:0". Throws ConfigError.
HostPort parse_host_port(const std::string& text);

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string realtime_listen;  // empty: the HTTP port + 1 on the same host
  std::string db;               // PostgreSQL URL; empty: the embedded cluster
  std::string data_dir = "./data";
  std::string log_level = "info";
  // The gateway's address as channels and browsers reach it (for example
  // https://support.example.com); makes inbound URLs absolute. Optional.
  std::string public_url;  // trace, debug, info, warn, error
  int http_threads = 128;           // also the most keep-alive connections served at once
  std::int64_t max_body_bytes = 1 << 20;
  int db_pool_size = 16;
  int ingest_writers = 2;
  int ingest_max_batch = 512;
  int ingest_timeout_ms = 4000;  // answer 503 (the channel retries) rather than wait longer
  int token_ttl_s = 12 * 3600;
  int realtime_threads = 2;            // WebSocket I/O threads
  int realtime_max_message_bytes = 64 * 1024;
  int realtime_idle_timeout_s = 60;    // pings every half of it; silent sockets are dropped
  int realtime_send_queue = 256;       // frames queued for one slow reader before it is dropped
  int presence_grace_ms = 15000;       // an agent whose last socket closed this long ago is offline
  // Share live events with other gateway nodes over LISTEN/NOTIFY: "auto"
  // is on with --db (nodes may share that server) and off with the embedded
  // database (only this process uses it), sparing every commit a NOTIFY.
  std::string cluster_events = "auto";
  bool cluster_events_enabled() const { return cluster_events == "on" || (cluster_events == "auto" && !db.empty()); }
  int outbox_workers = 32;            // delivery threads per node (0: this node does not deliver)
  int outbox_backoff_base_ms = 2000;  // first retry delay; doubles per attempt up to 10 min
  int outbox_max_attempts = 12;

  // Applies the keys present in a config file's JSON object; unknown keys and
  // wrong types are errors (a typo must not silently fall back to a default).
  void apply_json(const Json::Value& j);
  void apply_file(const std::string& path);
  // OMNIGATE_LISTEN, OMNIGATE_REALTIME_LISTEN, OMNIGATE_DB, OMNIGATE_DATA_DIR,
  // OMNIGATE_LOG_LEVEL.
  void apply_env();
  void validate() const;
  HostPort realtime_address() const;
};

}  // namespace omnigate::gateway
