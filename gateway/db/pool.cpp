#include "gateway/db/pool.h"

namespace omnigate::db {

ConnectionPool::ConnectionPool(std::string conninfo, size_t size)
    : conninfo_(std::move(conninfo)), size_(size == 0 ? 1 : size) {}

ConnectionPool::Lease ConnectionPool::acquire(std::chrono::milliseconds timeout) {
  std::unique_lock lk(mu_);
  ++waiting_;
  bool ok = cv_.wait_for(lk, timeout, [&] { return !idle_.empty() || open_ < size_; });
  --waiting_;
  if (!ok) throw PgError("no database connection free within the timeout", "08000");
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(c));
  }
  ++open_;  // reserve the slot, connect without holding the lock
  lk.unlock();
  try {
    auto c = std::make_unique<PgConnection>(conninfo_);
    // Our statements are short, index-driven and prepared once per
    // connection. Left to choose, PostgreSQL keeps re-planning them with the
    // bound values (custom plans), which cost more than running them.
    c->exec("SET plan_cache_mode = force_generic_plan");
    return Lease(this, std::move(c));
  } catch (...) {
    lk.lock();
    --open_;
    cv_.notify_one();
    throw;
  }
}

void ConnectionPool::release(std::unique_ptr<PgConnection> c) {
  std::lock_guard lk(mu_);
  // A connection left inside a transaction (an exception skipped ROLLBACK) or
  // broken is not handed to the next caller.
  bool reusable = c->healthy() && PQtransactionStatus(c->raw()) == PQTRANS_IDLE;
  if (reusable) idle_.push_back(std::move(c));
  else --open_;
  cv_.notify_one();
}

ConnectionPool::Stats ConnectionPool::stats() const {
  std::lock_guard lk(mu_);
  return {size_, open_, open_ - idle_.size(), waiting_};
}

}  // namespace omnigate::db
