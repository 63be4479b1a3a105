#pragma once
// An in-process gateway on a fresh database (or on `overrides.db`, to run a
// second node on another gateway's database) and a free loopback port, with
// an admin and an agent user, and an HTTP client pointed at it.
#include <memory>
#include <string>
#include <thread>

#include <httplib.h>
#include <json/value.h>

#include "gateway/config.h"
#include "gateway/gateway.h"

namespace omnigate::testing {

class TestGateway {
 public:
  explicit TestGateway(gateway::Config overrides = {});
  ~TestGateway();

  int port() const { return port_; }
  int realtime_port() const { return gateway_->realtime_port(); }
  const std::string& db() const { return db_; }
  httplib::Client client() const;
  std::string admin_token();  // logs in as "admin"
  std::string agent_token();  // logs in as "agent"
  // Creates a channel through the admin API and returns its JSON.
  Json::Value create_channel(const std::string& type, const std::string& name, const Json::Value& config = Json::Value());
  // POSTs body to /v1/hooks/{token} signed with secret (as the webhook channel expects).
  httplib::Result post_signed(const Json::Value& channel, const std::string& body) const;

 private:
  std::string login(const std::string& login, const std::string& password);
  std::string db_;
  std::unique_ptr<gateway::Gateway> gateway_;
  std::thread runner_;
  int port_ = 0;
};

Json::Value parse(const std::string& body);

}  // namespace omnigate::testing
