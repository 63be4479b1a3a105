#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gateway/db/pool.h"
#include "gateway/store/team_store.h"
#include "schema/agent.h"

namespace omnigate::store {

struct NewAgent {
  std::string login;
  std::string name;
  std::string password_hash;
  schema::Role role = schema::Role::agent;
  std::vector<TeamRef> teams;  // names not found are created
  std::vector<std::string> skills;
  std::map<std::string, int> capacity;
};

// Fields left empty stay as they are.
struct AgentChanges {
  std::optional<std::string> name;
  std::optional<schema::Role> role;
  std::optional<std::string> password_hash;  // also revokes the user's tokens
  std::optional<std::vector<TeamRef>> teams;  // replaces the set; names not found are created
  std::optional<std::vector<std::string>> skills;
  std::optional<std::map<std::string, int>> capacity;
  std::optional<bool> disabled;  // true also revokes every token and sets presence offline

  bool empty() const { return !name && !role && !password_hash && !teams && !skills && !capacity && !disabled; }
};

struct IssuedToken {
  std::string token;
  schema::Timestamp expires_at{};
};

// Agents/admins and their bearer tokens. Tokens are stored as SHA-256 only.
// Changes made by an admin (actor) are audited in the same transaction; the
// command line's changes are audited without an actor.
class AgentStore {
 public:
  explicit AgentStore(db::ConnectionPool& pool) : pool_(pool) {}

  // Creates the user, or replaces role and password of an existing login.
  schema::Agent upsert(const std::string& login, const std::string& name, schema::Role role,
                       const std::string& password_hash);
  // StoreError conflict when the login is taken (even by a disabled user).
  schema::Agent create(const NewAgent& agent, std::optional<std::int64_t> actor);
  // StoreError not_found for an unknown id.
  schema::Agent update(std::int64_t id, const AgentChanges& changes, std::optional<std::int64_t> actor);
  std::optional<schema::Agent> find_by_login(const std::string& login);  // enabled users only
  std::optional<schema::Agent> get(std::int64_t id);                     // disabled ones too
  std::vector<schema::Agent> list(bool include_disabled);

  // Returns a fresh random token valid for ttl.
  IssuedToken issue_token(std::int64_t agent_id, std::chrono::seconds ttl);
  // The agent a live (unexpired, unrevoked) token belongs to.
  std::optional<schema::Agent> agent_for_token(const std::string& token);
  bool revoke_token(const std::string& token);
  // Revokes every live token of the user; returns how many. StoreError
  // not_found for an unknown id.
  int revoke_tokens(std::int64_t agent_id, std::optional<std::int64_t> actor);

  // The agent's own choice of presence; sockets then leave it alone until
  // they have all closed (see PresenceStore).
  schema::Agent set_presence(std::int64_t agent_id, schema::Presence presence);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace omnigate::store
