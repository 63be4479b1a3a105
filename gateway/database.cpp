#include "gateway/database.h"

#include "gateway/logging.h"

namespace omnigate::gateway {

Database::Database(const Config& config) {
  if (!config.db.empty()) {
    conninfo_ = config.db;
    return;
  }
  cluster_ = std::make_unique<db::EmbeddedCluster>(config.data_dir);
  cluster_->start();
  conninfo_ = cluster_->conninfo();
  spdlog::info("event=db.embedded pgdata={} started_here={}", q(cluster_->pgdata().string()), cluster_->started_here());
}

}  // namespace omnigate::gateway
