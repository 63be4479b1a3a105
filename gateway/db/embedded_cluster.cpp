#include "gateway/db/embedded_cluster.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <vector>

#include "gateway/db/pg.h"

namespace fs = std::filesystem;

namespace omnigate::db {
namespace {

// The newest installed server, unless OMNIGATE_PG_BINDIR says otherwise.
fs::path find_bindir() {
  if (const char* env = std::getenv("OMNIGATE_PG_BINDIR")) return env;
  std::optional<std::pair<int, fs::path>> best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    auto bin = entry.path() / "bin";
    if (!fs::exists(bin / "initdb")) continue;
    int version = std::atoi(entry.path().filename().c_str());
    if (!best || version > best->first) best = {version, bin};
  }
  if (!best) throw std::runtime_error("PostgreSQL server binaries not found under /usr/lib/postgresql (run deploy/setup.sh)");
  return best->second;
}

// The account the server runs as: ourselves, or `postgres` when we are root.
struct RunAs {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

RunAs server_account() {
  RunAs r;
  if (geteuid() != 0) return r;
  struct passwd* pw = getpwnam("postgres");
  if (!pw) throw std::runtime_error("running as root needs the `postgres` system user (from the postgresql package) to own the embedded cluster");
  r.switch_user = true;
  r.uid = pw->pw_uid;
  r.gid = pw->pw_gid;
  return r;
}

// Runs argv to completion, output appended to log_path. Returns the exit code.
int run(const std::vector<std::string>& argv, const fs::path& log_path, const fs::path& cwd) {
  RunAs as = server_account();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    if (as.switch_user && (setgroups(0, nullptr) != 0 || setgid(as.gid) != 0 || setuid(as.uid) != 0)) _exit(126);
    if (chdir(cwd.c_str()) != 0) _exit(126);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string tail_of(const fs::path& log, size_t max = 2000) {
  std::ifstream in(log);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return s.size() > max ? s.substr(s.size() - max) : s;
}

void give_to_server_account(const fs::path& p) {
  RunAs as = server_account();
  if (as.switch_user && chown(p.c_str(), as.uid, as.gid) != 0)
    throw std::runtime_error("cannot hand " + p.string() + " to the postgres user");
}

}  // namespace

EmbeddedCluster::EmbeddedCluster(fs::path data_dir)
    : data_dir_(fs::absolute(data_dir)), pgdata_(data_dir_ / "pg"), bindir_(find_bindir()) {
  // libpq's unix socket path (pgdata/.s.PGSQL.5432) must fit sockaddr_un.
  if (pgdata_.string().size() > 90)
    throw std::runtime_error("data directory path is too long for a unix socket: " + pgdata_.string());
}

EmbeddedCluster::~EmbeddedCluster() {
  try {
    stop();
  } catch (...) {
  }
}

void EmbeddedCluster::initialize() {
  fs::create_directories(data_dir_);
  if (fs::exists(pgdata_ / "PG_VERSION")) return;
  fs::create_directories(pgdata_);
  fs::permissions(pgdata_, fs::perms::owner_all, fs::perm_options::replace);
  give_to_server_account(pgdata_);
  auto log = data_dir_ / "initdb.log";
  int rc = run({(bindir_ / "initdb").string(), "-D", pgdata_.string(), "-U", "omnigate",
                "--auth=trust", "-E", "UTF8", "--no-locale", "--no-instructions"},
               log, pgdata_);
  if (rc != 0) {
    if (rc == 126) throw std::runtime_error("initdb could not run in " + pgdata_.string() + ": is every parent directory reachable by the postgres user?");
    throw std::runtime_error("initdb failed (exit " + std::to_string(rc) + "):\n" + tail_of(log));
  }
  // Private: no TCP at all, the socket lives in the cluster directory.
  std::ofstream conf(pgdata_ / "postgresql.auto.conf", std::ios::app);
  conf << "listen_addresses = ''\n"
       << "unix_socket_directories = '" << pgdata_.string() << "'\n"
       << "unix_socket_permissions = 0700\n"
       << "max_connections = 200\n"
       << "shared_buffers = '256MB'\n"
       // Fewer checkpoints mean fewer full-page images in the WAL that every
       // commit must flush; compressing the ones left halves their size.
       << "max_wal_size = '4GB'\n"
       << "checkpoint_timeout = '15min'\n"
       << "wal_compression = lz4\n"
       << "logging_collector = off\n";
}

bool EmbeddedCluster::running() const {
  auto log = data_dir_ / "pg_ctl.log";
  return run({(bindir_ / "pg_ctl").string(), "status", "-D", pgdata_.string()}, log, pgdata_) == 0;
}

void EmbeddedCluster::start() {
  initialize();
  if (!running()) {
    auto log = data_dir_ / "postgresql.log";
    if (!fs::exists(log)) {
      std::ofstream(log).flush();
      give_to_server_account(log);
    }
    int rc = run({(bindir_ / "pg_ctl").string(), "start", "-w", "-t", "60", "-D", pgdata_.string(),
                  "-l", log.string()},
                 data_dir_ / "pg_ctl.log", pgdata_);
    if (rc != 0) throw std::runtime_error("PostgreSQL did not start:\n" + tail_of(log));
    started_here_ = true;
  }
  PgConnection admin(conninfo("postgres"));
  if (admin.exec("SELECT 1 FROM pg_database WHERE datname = 'omnigate'").rows() == 0) {
    try {
      admin.exec("CREATE DATABASE omnigate");
    } catch (const PgError& e) {
      if (e.sqlstate() != "42P04") throw;  // another process created it first
    }
  }
}

void EmbeddedCluster::stop() {
  if (!started_here_) return;
  started_here_ = false;
  run({(bindir_ / "pg_ctl").string(), "stop", "-w", "-m", "fast", "-D", pgdata_.string()},
      data_dir_ / "pg_ctl.log", pgdata_);
}

std::string EmbeddedCluster::conninfo(const std::string& database) const {
  auto quote = [](const std::string& v) {
    std::string q = "'";
    for (char ch : v) {
      if (ch == '\\' || ch == '\'') q += '\\';
      q += ch;
    }
    return q + "'";
  };
  return "host=" + quote(pgdata_.string()) + " dbname=" + quote(database) + " user=omnigate";
}

}  // namespace omnigate::db
