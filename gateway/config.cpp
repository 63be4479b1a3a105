#include "gateway/config.h"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "schema/json.h"

namespace omnigate::gateway {

HostPort parse_host_port(const std::string& text) {
  HostPort hp;
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) throw ConfigError("expected HOST:PORT, got \"" + text + "\"");
  hp.host = text.substr(0, colon);
  if (hp.host.size() > 2 && hp.host.front() == '[' && hp.host.back() == ']') hp.host = hp.host.substr(1, hp.host.size() - 2);
  std::string port = text.substr(colon + 1);
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), hp.port);
  if (ec != std::errc() || p != port.data() + port.size() || hp.port < 0 || hp.port > 65535)
    throw ConfigError("bad port in \"" + text + "\"");
  return hp;
}

void Config::apply_json(const Json::Value& j) {
  if (!j.isObject()) throw ConfigError("config file: expected a JSON object");
  auto str = [&](const char* key, std::string& out) {
    if (!j.isMember(key)) return;
    if (!j[key].isString()) throw ConfigError(std::string("config ") + key + ": expected a string");
    out = j[key].asString();
  };
  auto num = [&](const char* key, auto& out) {
    if (!j.isMember(key)) return;
    using T = std::remove_reference_t<decltype(out)>;
    if (!j[key].isIntegral()) throw ConfigError(std::string("config ") + key + ": expected an integer");
    if (!j[key].isInt64() || j[key].asInt64() < std::numeric_limits<T>::min() ||
        j[key].asInt64() > std::numeric_limits<T>::max())
      throw ConfigError(std::string("config ") + key + ": out of range");
    out = static_cast<T>(j[key].asInt64());
  };
  static const char* known[] = {"listen", "realtime_listen", "db", "data_dir", "log_level", "http_threads",
                                "max_body_bytes", "db_pool_size", "ingest_writers", "ingest_max_batch",
                                "ingest_timeout_ms", "token_ttl_s",
                                "outbox_workers", "outbox_backoff_base_ms", "outbox_max_attempts",
                                "realtime_threads", "realtime_max_message_bytes", "realtime_idle_timeout_s",
                                "realtime_send_queue", "cluster_events", "public_url", "presence_grace_ms"};
  for (const auto& key : j.getMemberNames()) {
    bool ok = false;
    for (const char* k : known) ok = ok || key == k;
    if (!ok) throw ConfigError("config: unknown key \"" + key + "\"");
  }
  str("listen", listen);
  str("realtime_listen", realtime_listen);
  str("db", db);
  str("data_dir", data_dir);
  str("log_level", log_level);
  str("cluster_events", cluster_events);
  str("public_url", public_url);
  num("http_threads", http_threads);
  num("max_body_bytes", max_body_bytes);
  num("db_pool_size", db_pool_size);
  num("ingest_writers", ingest_writers);
  num("ingest_max_batch", ingest_max_batch);
  num("ingest_timeout_ms", ingest_timeout_ms);
  num("token_ttl_s", token_ttl_s);
  num("outbox_workers", outbox_workers);
  num("realtime_threads", realtime_threads);
  num("realtime_max_message_bytes", realtime_max_message_bytes);
  num("realtime_idle_timeout_s", realtime_idle_timeout_s);
  num("realtime_send_queue", realtime_send_queue);
  num("presence_grace_ms", presence_grace_ms);
  num("outbox_backoff_base_ms", outbox_backoff_base_ms);
  num("outbox_max_attempts", outbox_max_attempts);
}

void Config::apply_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    apply_json(schema::parse_json(ss.str()));
  } catch (const schema::InvalidJson& e) {
    throw ConfigError(path + ": " + e.what());
  }
}

void Config::apply_env() {
  auto env = [](const char* name, std::string& out) {
    if (const char* v = std::getenv(name); v && *v) out = v;
  };
  env("OMNIGATE_LISTEN", listen);
  env("OMNIGATE_REALTIME_LISTEN", realtime_listen);
  env("OMNIGATE_DB", db);
  env("OMNIGATE_DATA_DIR", data_dir);
  env("OMNIGATE_LOG_LEVEL", log_level);
  env("OMNIGATE_PUBLIC_URL", public_url);
}

void Config::validate() const {
  parse_host_port(listen);
  realtime_address();
  static const char* levels[] = {"trace", "debug", "info", "warn", "error"};
  bool level_ok = false;
  for (const char* l : levels) level_ok = level_ok || log_level == l;
  if (!level_ok) throw ConfigError("log_level: expected trace, debug, info, warn or error");
  if (db.empty() && data_dir.empty()) throw ConfigError("either a database URL or a data directory is needed");
  if (http_threads < 2 || http_threads > 10000) throw ConfigError("http_threads: expected 2..10000");
  if (max_body_bytes < 1024) throw ConfigError("max_body_bytes: expected at least 1024");
  if (db_pool_size < 2 || db_pool_size > 1000) throw ConfigError("db_pool_size: expected 2..1000");
  if (ingest_writers < 1 || ingest_writers >= db_pool_size) throw ConfigError("ingest_writers: expected 1..db_pool_size-1");
  if (ingest_max_batch < 1) throw ConfigError("ingest_max_batch: expected at least 1");
  if (ingest_timeout_ms < 100) throw ConfigError("ingest_timeout_ms: expected at least 100");
  if (token_ttl_s < 60) throw ConfigError("token_ttl_s: expected at least 60");
  if (!public_url.empty() && !(public_url.starts_with("https://") || public_url.starts_with("http://")))
    throw ConfigError("public_url: expected http(s)://host[:port]");
  if (!public_url.empty() && public_url.back() == '/') throw ConfigError("public_url: without a trailing slash");
  if (cluster_events != "auto" && cluster_events != "on" && cluster_events != "off")
    throw ConfigError("cluster_events: expected auto, on or off");
  if (realtime_threads < 1 || realtime_threads > 64) throw ConfigError("realtime_threads: expected 1..64");
  if (realtime_max_message_bytes < 1024) throw ConfigError("realtime_max_message_bytes: expected at least 1024");
  if (realtime_idle_timeout_s < 2) throw ConfigError("realtime_idle_timeout_s: expected at least 2");
  if (realtime_send_queue < 8) throw ConfigError("realtime_send_queue: expected at least 8");
  if (presence_grace_ms < 0 || presence_grace_ms > 3600000) throw ConfigError("presence_grace_ms: expected 0..3600000");
  if (outbox_workers < 0 || outbox_workers > 256) throw ConfigError("outbox_workers: expected 0..256");
  if (outbox_backoff_base_ms < 10) throw ConfigError("outbox_backoff_base_ms: expected at least 10");
  if (outbox_max_attempts < 1) throw ConfigError("outbox_max_attempts: expected at least 1");
}

HostPort Config::realtime_address() const {
  if (!realtime_listen.empty()) return parse_host_port(realtime_listen);
  HostPort hp = parse_host_port(listen);
  if (hp.port != 0) hp.port += 1;
  if (hp.port > 65535) throw ConfigError("realtime_listen: the HTTP port + 1 is past 65535; set realtime_listen");
  return hp;
}

}  // namespace omnigate::gateway
