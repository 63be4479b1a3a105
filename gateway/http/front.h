#pragma once
// The HTTP front (cpp-httplib): one place that registers routes, measures
// them, and turns every exception into a JSON error answer so no input can
// take the process down.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <httplib.h>

#include "gateway/services.h"

namespace omnigate::gateway::http {

class Front {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  explicit Front(Services& services);
  // Binds the listen address; returns the bound port (useful with port 0).
  int bind();
  // Serves until stop(); returns once in-flight requests are answered.
  void run();
  void stop();
  bool running() const { return server_.is_running(); }

  // `name` labels the route in metrics and logs (never the raw path, so a
  // token never lands in a metric label or a log line).
  void route(const char* method, const std::string& pattern, const std::string& name, Handler handler);
  Services& services() { return services_; }
  // "METHOD name" of every route registered so far ("GET /v1/conversations/{id}"):
  // GET /v1/config lists them so the browser UI shows only what this build serves.
  const std::vector<std::string>& routes() const { return routes_; }

 private:
  Services& services_;
  httplib::Server server_;
  int listen_socket_ = -1;  // the listening socket, for the backlog fix in bind()
  std::vector<std::string> routes_;
};

// Route groups, each in its own file.
void add_health_routes(Front& front);
void add_auth_routes(Front& front);
void add_channel_routes(Front& front);
void add_hook_routes(Front& front);
void add_conversation_routes(Front& front);
void add_conversation_action_routes(Front& front);
void add_delivery_routes(Front& front);
void add_queue_routes(Front& front);
void add_widget_routes(Front& front);
void add_app_routes(Front& front);
void add_file_routes(Front& front);
void add_poll_routes(Front& front);
void add_connection_test_routes(Front& front);
void add_read_routes(Front& front);
void add_user_routes(Front& front);
void add_team_routes(Front& front);
void add_me_routes(Front& front);
void add_canned_routes(Front& front);
void add_contact_routes(Front& front);
void add_audit_routes(Front& front);
void add_workbench_routes(Front& front);

}  // namespace omnigate::gateway::http
