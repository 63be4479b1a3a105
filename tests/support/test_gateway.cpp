#include "tests/support/test_gateway.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "adapters/webhook/webhook_adapter.h"
#include "gateway/db/pool.h"
#include "gateway/logging.h"
#include "gateway/store/agent_store.h"
#include "schema/json.h"
#include "tests/support/test_database.h"
#include "workbench/auth/password.h"

namespace omnigate::testing {

TestGateway::TestGateway(gateway::Config cfg) : db_(cfg.db.empty() ? fresh_database() : cfg.db) {
  cfg.db = db_;
  cfg.listen = "127.0.0.1:0";
  // OMNIGATE_TEST_LOG_LEVEL=debug shows the gateway's log while debugging a test.
  const char* level = std::getenv("OMNIGATE_TEST_LOG_LEVEL");
  cfg.log_level = level ? level : "warn";
  gateway::init_logging(cfg.log_level);
  {
    db::ConnectionPool pool(db_, 2);
    store::AgentStore agents(pool);
    workbench::ScryptParams fast{10, 8, 1};  // tests need not resist brute force
    agents.upsert("admin", "Admin", schema::Role::admin, workbench::hash_password("admin-password", fast));
    agents.upsert("agent", "Agent", schema::Role::agent, workbench::hash_password("agent-password", fast));
  }
  gateway_ = std::make_unique<gateway::Gateway>(cfg);
  port_ = gateway_->start();
  runner_ = std::thread([this] { gateway_->run(); });
}

TestGateway::~TestGateway() {
  gateway_->stop();
  runner_.join();
}

httplib::Client TestGateway::client() const {
  httplib::Client c("127.0.0.1", port_);
  c.set_read_timeout(30);
  return c;
}

std::string TestGateway::login(const std::string& login, const std::string& password) {
  Json::Value body;
  body["login"] = login;
  body["password"] = password;
  auto r = client().Post("/v1/auth/login", schema::write_json(body), "application/json");
  if (!r || r->status != 200) throw std::runtime_error("login failed for " + login);
  return parse(r->body)["token"].asString();
}

std::string TestGateway::admin_token() { return login("admin", "admin-password"); }
std::string TestGateway::agent_token() { return login("agent", "agent-password"); }

Json::Value TestGateway::create_channel(const std::string& type, const std::string& name, const Json::Value& config) {
  Json::Value body;
  body["type"] = type;
  body["name"] = name;
  if (!config.isNull()) body["config"] = config;
  auto c = client();
  auto r = c.Post("/v1/admin/channels", {{"Authorization", "Bearer " + admin_token()}}, schema::write_json(body),
                  "application/json");
  if (!r || r->status != 201) throw std::runtime_error("channel create failed: " + (r ? r->body : std::string("no answer")));
  return parse(r->body);
}

httplib::Result TestGateway::post_signed(const Json::Value& channel, const std::string& body) const {
  auto c = client();
  std::string sig = adapters::sign_body(channel["secrets"]["secret"].asString(), body);
  return c.Post("/v1/hooks/" + channel["token"].asString(), {{adapters::kSignatureHeader, sig}}, body,
                "application/json");
}

Json::Value parse(const std::string& body) { return schema::parse_json(body); }

}  // namespace omnigate::testing
