#pragma once
// A fixed-size pool of PostgreSQL connections. Connections are opened lazily,
// a broken one is dropped on release and replaced on the next acquire, and
// acquire waits (bounded) instead of opening more than `size` connections, so
// several gateway nodes can share one server's max_connections predictably.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gateway/db/pg.h"

namespace omnigate::db {

class ConnectionPool {
 public:
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<PgConnection> c) : pool_(pool), c_(std::move(c)) {}
    Lease(Lease&& o) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (c_) pool_->release(std::move(c_));
    }
    PgConnection& operator*() { return *c_; }
    PgConnection* operator->() { return c_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<PgConnection> c_;
  };

  struct Stats {
    size_t size;     // the most connections the pool will open
    size_t open;     // connections open now
    size_t in_use;   // leased out now
    size_t waiting;  // callers blocked in acquire
  };

  ConnectionPool(std::string conninfo, size_t size);
  // Throws PgError when no connection frees up within `timeout` or a new
  // connection cannot be opened.
  Lease acquire(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  Stats stats() const;
  const std::string& conninfo() const { return conninfo_; }

 private:
  void release(std::unique_ptr<PgConnection> c);

  const std::string conninfo_;
  const size_t size_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  size_t open_ = 0;
  size_t waiting_ = 0;
};

}  // namespace omnigate::db
