#include "gateway/http/front.h"

#include <sys/socket.h>

#include <array>
#include <atomic>

#include "adapters/adapter.h"
#include "gateway/db/pg.h"
#include "gateway/http/api.h"
#include "gateway/logging.h"
#include "gateway/store/store_error.h"
#include "schema/json.h"

namespace omnigate::gateway::http {

Front::Front(Services& services) : services_(services) {
  const Config& cfg = services.config;
  // One worker per open connection (cpp-httplib keeps a keep-alive connection
  // on its worker), so the pool size bounds concurrent connections.
  size_t threads = static_cast<size_t>(cfg.http_threads);
  server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_.set_payload_max_length(static_cast<size_t>(cfg.max_body_bytes));
  // Headers and body go out in separate writes; without TCP_NODELAY the
  // second waits for the peer's delayed ACK (~40 ms per request).
  server_.set_tcp_nodelay(true);
  server_.set_keep_alive_max_count(100000);
  server_.set_keep_alive_timeout(3);
  server_.set_read_timeout(10);
  server_.set_write_timeout(10);
  // cpp-httplib listens with a backlog of 5 (a compile-time constant of the
  // packaged library): a burst of new connections overflows it, SYNs are
  // dropped and clients wait 1, 3, 7 s for their retransmits. We keep the
  // listening socket here and widen the backlog once it listens (bind()).
  // SO_REUSEADDR only: the library's default SO_REUSEPORT would let a second
  // gateway bind the same port and silently take half the traffic.
  server_.set_socket_options([this](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_socket_ = sock;
  });
  // Answers cpp-httplib produces itself (413, 404 for unknown paths, 400 for
  // unparseable requests) get the same JSON error body as ours.
  server_.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    switch (res.status) {
      case 413: send_error(res, 413, "payload_too_large", "request body is over the size limit"); break;
      case 404: send_error(res, 404, "not_found", "no such route"); break;
      case 405: send_error(res, 405, "method_not_allowed", "method not allowed on this route"); break;
      default: send_error(res, res.status, "bad_request", "malformed HTTP request"); break;
    }
    return httplib::Server::HandlerResponse::Handled;
  }));
  add_hook_routes(*this);  // first: the hot path matches before any other pattern
  add_health_routes(*this);
  add_auth_routes(*this);
  add_channel_routes(*this);
  add_conversation_routes(*this);
  add_conversation_action_routes(*this);
  add_delivery_routes(*this);
  add_queue_routes(*this);
  add_widget_routes(*this);
  add_app_routes(*this);
  add_file_routes(*this);
  add_poll_routes(*this);
  add_connection_test_routes(*this);
  add_read_routes(*this);
  add_user_routes(*this);
  add_team_routes(*this);
  add_me_routes(*this);
  add_canned_routes(*this);
  add_contact_routes(*this);
  add_audit_routes(*this);
  add_workbench_routes(*this);
}

void Front::route(const char* method, const std::string& pattern, const std::string& name, Handler handler) {
  Metrics& m = services_.metrics;
  Histogram& latency =
      m.histogram("omnigate_http_request_duration_seconds", "HTTP request latency", "route=\"" + name + "\"");
  // One counter per status code, looked up once and then cached lock-free:
  // the registry's map and mutex stay off the per-request path.
  auto by_status = std::make_shared<std::array<std::atomic<Counter*>, 600>>();
  auto counter_for = [&m, name, by_status](int status) -> Counter& {
    size_t i = status >= 0 && status < 600 ? static_cast<size_t>(status) : 0;
    Counter* c = (*by_status)[i].load(std::memory_order_acquire);
    if (!c) {
      c = &m.counter("omnigate_http_requests_total", "HTTP requests by route and status",
                     "route=\"" + name + "\",status=\"" + std::to_string(status) + "\"");
      (*by_status)[i].store(c, std::memory_order_release);
    }
    return *c;
  };
  auto wrapped = [name, &latency, counter_for, handler = std::move(handler)](const httplib::Request& req,
                                                                             httplib::Response& res) {
    auto started = std::chrono::steady_clock::now();
    try {
      handler(req, res);
    } catch (const ApiError& e) {
      send_error(res, e.status(), e.code(), e.what());
    } catch (const adapters::AdapterError& e) {
      spdlog::info("event=http.refused route={} status={} code={} reason={} remote={}", name, e.status(), e.code(),
                   q(e.what()), req.remote_addr);
      send_error(res, e.status(), e.code(), e.what());
    } catch (const schema::InvalidJson& e) {
      send_error(res, 400, "bad_request", e.what());
    } catch (const store::StoreError& e) {
      using Kind = store::StoreError::Kind;
      send_error(res, e.kind() == Kind::not_found ? 404 : e.kind() == Kind::conflict ? 409 : 400, e.code(), e.what());
    } catch (const db::PgError& e) {
      spdlog::error("event=http.store_error route={} sqlstate={} error={}", name, e.sqlstate(), q(e.what()));
      send_error(res, 503, "store_unavailable", "the database is unavailable, try again");
    } catch (const std::exception& e) {
      spdlog::error("event=http.internal_error route={} error={}", name, q(e.what()));
      send_error(res, 500, "internal", "internal error");
    }
    auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    latency.observe(took);
    counter_for(res.status).inc();
    spdlog::debug("event=http.request route={} method={} status={} ms={:.3f}", name, req.method, res.status,
                  took * 1000);
  };
  routes_.push_back(std::string(method) + " " + name);
  std::string m_name = method;
  if (m_name == "GET") server_.Get(pattern, wrapped);
  else if (m_name == "POST") server_.Post(pattern, wrapped);
  else if (m_name == "PATCH") server_.Patch(pattern, wrapped);
  else if (m_name == "PUT") server_.Put(pattern, wrapped);
  else if (m_name == "DELETE") server_.Delete(pattern, wrapped);
  else throw std::invalid_argument("unsupported method " + m_name);
}

int Front::bind() {
  HostPort hp = parse_host_port(services_.config.listen);
  int port = hp.port == 0 ? server_.bind_to_any_port(hp.host) : (server_.bind_to_port(hp.host, hp.port) ? hp.port : -1);
  if (port < 0) throw std::runtime_error("cannot listen on " + services_.config.listen);
  if (listen_socket_ >= 0 && ::listen(listen_socket_, SOMAXCONN) != 0)
    throw std::runtime_error("cannot widen the listen backlog on " + services_.config.listen);
  return port;
}

void Front::run() { server_.listen_after_bind(); }

void Front::stop() { server_.stop(); }

}  // namespace omnigate::gateway::http
