#pragma once
// The audit log: who changed what, for every admin change (users, teams,
// channels, team and global canned responses) and every contact merge.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <json/value.h>

#include "gateway/db/pool.h"
#include "schema/time.h"

namespace omnigate::store {

struct AuditEntry {
  std::optional<std::int64_t> actor_id;  // none for the command line
  std::string action;                    // "user.created", "team.deleted", "contact.merged"...
  std::string target_type;               // "user", "team", "channel", "canned_response", "contact"
  std::optional<std::int64_t> target_id;
  Json::Value detail;  // what changed; never a secret or a password hash
};

struct AuditRecord {
  std::int64_t id = 0;
  schema::Timestamp at{};
  AuditEntry entry;
};

struct AuditFilter {
  std::string action;       // exact, empty: any
  std::string target_type;  // exact, empty: any
  std::optional<std::int64_t> target_id;
};

struct AuditPage {
  std::vector<AuditRecord> items;  // newest first
  std::optional<std::int64_t> next;  // pass as `before` for the next page
};

class AuditStore {
 public:
  explicit AuditStore(db::ConnectionPool& pool) : pool_(pool) {}

  // Appends inside the caller's transaction, so a change and its record
  // commit (or roll back) together.
  static void append(db::PgConnection& c, const AuditEntry& entry);
  // For a change another store has already committed.
  void record(const AuditEntry& entry);
  // Entries with id < before (all when absent), newest first.
  AuditPage list(const AuditFilter& filter, std::optional<std::int64_t> before, int limit);

 private:
  db::ConnectionPool& pool_;
};

Json::Value to_json(const AuditRecord& r);

}  // namespace omnigate::store
