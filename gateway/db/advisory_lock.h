#pragma once
// A session-level PostgreSQL advisory lock in the two-key space
// (hashtext(space), hashtext(key)), held on one connection until the guard
// goes: "only one node does this for this channel at a time" (the puller, the
// IMAP poller). The one-key space (migrations) never collides with it.
#include <memory>
#include <string>

#include "gateway/db/pg.h"

namespace omnigate::db {

class AdvisoryLock {
 public:
  // The lock when it was free; nullptr when another session holds it.
  // `conn` must outlive the guard and stay with its holder meanwhile.
  static std::unique_ptr<AdvisoryLock> try_lock(PgConnection& conn, std::string space, std::string key);
  // Unlocks. On a broken connection it cannot, and need not: the pool drops
  // the connection, and the server frees the lock with its session.
  ~AdvisoryLock();
  AdvisoryLock(const AdvisoryLock&) = delete;
  AdvisoryLock& operator=(const AdvisoryLock&) = delete;

 private:
  AdvisoryLock(PgConnection& conn, std::string space, std::string key)
      : conn_(conn), space_(std::move(space)), key_(std::move(key)) {}
  PgConnection& conn_;
  const std::string space_, key_;
};

}  // namespace omnigate::db
