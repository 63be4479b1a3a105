#include "gateway/db/advisory_lock.h"

#include "gateway/logging.h"

namespace omnigate::db {

std::unique_ptr<AdvisoryLock> AdvisoryLock::try_lock(PgConnection& conn, std::string space, std::string key) {
  if (!conn.exec("SELECT pg_try_advisory_lock(hashtext($1), hashtext($2))", {space, key}).boolean(0, 0)) return nullptr;
  return std::unique_ptr<AdvisoryLock>(new AdvisoryLock(conn, std::move(space), std::move(key)));
}

AdvisoryLock::~AdvisoryLock() {
  try {
    if (conn_.healthy()) conn_.exec("SELECT pg_advisory_unlock(hashtext($1), hashtext($2))", {space_, key_});
  } catch (const std::exception& e) {
    spdlog::warn("event=db.unlock_failed space={} key={} error={}", gateway::q(space_), gateway::q(key_),
                 gateway::q(e.what()));
  }
}

}  // namespace omnigate::db
