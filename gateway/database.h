#pragma once
// The database a command works on: the server at --db, or the embedded
// cluster in the data directory (started here if it is not already running,
// and stopped again on destruction only if it was started here).
#include <memory>
#include <string>

#include "gateway/config.h"
#include "gateway/db/embedded_cluster.h"

namespace omnigate::gateway {

class Database {
 public:
  explicit Database(const Config& config);
  const std::string& conninfo() const { return conninfo_; }
  bool embedded() const { return cluster_ != nullptr; }

 private:
  std::unique_ptr<db::EmbeddedCluster> cluster_;
  std::string conninfo_;
};

}  // namespace omnigate::gateway
