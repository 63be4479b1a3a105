#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "gateway/db/pool.h"
#include "schema/agent.h"

namespace omnigate::store {

// Agents/admins and their bearer tokens. Tokens are stored as SHA-256 only.
class AgentStore {
 public:
  explicit AgentStore(db::ConnectionPool& pool) : pool_(pool) {}

  // Creates the user, or replaces role and password of an existing login.
  schema::Agent upsert(const std::string& login, const std::string& name, schema::Role role,
                       const std::string& password_hash);
  std::optional<schema::Agent> find_by_login(const std::string& login);
  std::optional<schema::Agent> get(std::int64_t id);

  // Returns a fresh random token valid for ttl.
  std::string issue_token(std::int64_t agent_id, std::chrono::seconds ttl);
  // The agent a live (unexpired, unrevoked) token belongs to.
  std::optional<schema::Agent> agent_for_token(const std::string& token);
  bool revoke_token(const std::string& token);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace omnigate::store
