#include "tests/support/test_database.h"

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>

#include "gateway/db/embedded_cluster.h"
#include "gateway/db/migrator.h"
#include "gateway/db/pg.h"

namespace omnigate::testing {
namespace {

struct Cluster {
  std::filesystem::path dir;
  std::unique_ptr<db::EmbeddedCluster> pg;

  Cluster() {
    char tmpl[] = "/tmp/omnigate-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    // The cluster may run as the postgres user (when tests run as root).
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all | std::filesystem::perms::others_exec |
                                          std::filesystem::perms::group_exec);
    pg = std::make_unique<db::EmbeddedCluster>(dir);
    pg->start();
  }
  ~Cluster() {
    pg.reset();  // stops the server
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

Cluster& cluster() {
  static Cluster c;
  return c;
}

}  // namespace

std::string fresh_database(bool migrate) {
  static std::atomic<int> counter{0};
  Cluster& c = cluster();
  std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  {
    db::PgConnection admin(c.pg->conninfo("postgres"));
    admin.exec("CREATE DATABASE " + name + " TEMPLATE template0");  // name is ours, not input
  }
  std::string conninfo = c.pg->conninfo(name);
  if (migrate) {
    db::PgConnection conn(conninfo);
    db::apply_migrations(conn);
  }
  return conninfo;
}

std::string cluster_socket_dir() { return cluster().pg->pgdata().string(); }

}  // namespace omnigate::testing
