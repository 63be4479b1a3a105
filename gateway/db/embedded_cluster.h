#pragma once
// The embedded default database: a private PostgreSQL cluster inside the
// gateway's data directory, created on first use (initdb) and started with
// pg_ctl. It listens on a unix socket inside the data directory only (no TCP)
// with trust authentication, so the directory's permissions are its access
// control. When the process runs as root the cluster runs as the `postgres`
// system user, since PostgreSQL refuses to run as root.
#include <filesystem>
#include <string>

namespace omnigate::db {

class EmbeddedCluster {
 public:
  explicit EmbeddedCluster(std::filesystem::path data_dir);
  ~EmbeddedCluster();  // stops the server if this object started it
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  // initdb when needed, start unless already running (another omnigate
  // process on the same data directory), create the application database.
  // Throws std::runtime_error with the tool's output on failure.
  void start();
  void stop();
  // libpq connection string for `database` (default: the application's).
  std::string conninfo(const std::string& database = "omnigate") const;
  const std::filesystem::path& pgdata() const { return pgdata_; }
  bool started_here() const { return started_here_; }

 private:
  void initialize();
  bool running() const;

  std::filesystem::path data_dir_;
  std::filesystem::path pgdata_;
  std::filesystem::path bindir_;
  bool started_here_ = false;
};

}  // namespace omnigate::db
