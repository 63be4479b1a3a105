// The omnigate binary as an operator runs it: CLI subcommands, and a SIGTERM
// while requests are in flight loses no acknowledged message.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <cstdlib>
#include <set>
#include <thread>

#include "adapters/webhook/webhook_adapter.h"
#include "gateway/db/pg.h"
#include "schema/json.h"
#include "tests/support/test_database.h"

#include <httplib.h>

namespace {

std::string binary() { return OMNIGATE_BINARY_PATH; }

// A port nothing listens on right now. Each listener of a spawned gateway
// gets its own: the default "HTTP port + 1" may be taken by a parallel test.
int free_port() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

int other_free_port(int taken) {
  int p = free_port();
  while (p == taken) p = free_port();
  return p;
}

pid_t spawn(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  pid_t pid = fork();
  if (pid == 0) {
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool wait_healthy(int port) {
  httplib::Client c("127.0.0.1", port);
  for (int i = 0; i < 200; ++i) {
    if (auto r = c.Get("/healthz"); r && r->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(Process, InspectEmailPrintsTheNormalizedMessage) {
  std::string fixture = std::string(OMNIGATE_SOURCE_DIR) + "/tests/data/email/gbk_subject_body.eml";
  ASSERT_TRUE(std::filesystem::exists(fixture)) << fixture;
  FILE* out = popen((binary() + " inspect email " + fixture).c_str(), "r");
  ASSERT_NE(out, nullptr);
  std::string text;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, out)) text.append(buf, n);
  EXPECT_EQ(pclose(out), 0);
  auto message = omnigate::schema::parse_json(text);
  EXPECT_EQ(message["direction"].asString(), "in");
  EXPECT_FALSE(message["metadata"]["email"]["subject"].asString().empty());
  EXPECT_NE(wait_exit(spawn({binary(), "inspect", "email", "/no/such/file.eml"})), 0);
}

TEST(Process, VersionAndMigrate) {
  EXPECT_EQ(wait_exit(spawn({binary(), "version"})), 0);
  std::string db = omnigate::testing::fresh_database(/*migrate=*/false);
  EXPECT_EQ(wait_exit(spawn({binary(), "migrate", "--db", db})), 0);
  EXPECT_EQ(wait_exit(spawn({binary(), "migrate", "--db", db})), 0);  // twice is fine
  omnigate::db::PgConnection c(db);
  EXPECT_GT(c.exec("SELECT count(*) FROM schema_migrations").int64(0, 0), 0);
  // Bad input is refused with a non-zero exit, not a crash.
  EXPECT_NE(wait_exit(spawn({binary(), "user", "add", "--db", db, "--login", "x", "--role", "root"})), 0);
  EXPECT_NE(wait_exit(spawn({binary(), "serve", "--db", db, "--listen", "nonsense"})), 0);
}

TEST(Process, UserAddSetsTeamsSkillsAndCapacity) {
  std::string db = omnigate::testing::fresh_database();
  ASSERT_EQ(wait_exit(spawn({binary(), "user", "add", "--db", db, "--login", "wang", "--team", "售后", "--team", "VIP",
                             "--skill", "zh", "--capacity", "web=5", "--capacity", "email=20"},
                            {"OMNIGATE_PASSWORD=a long password"})),
            0);
  omnigate::db::PgConnection c(db);
  auto r = c.exec(
      "SELECT a.skills::text, a.capacity::text, "
      "  (SELECT string_agg(t.name, ',' ORDER BY t.name) FROM agent_teams at JOIN teams t ON t.id = at.team_id "
      "   WHERE at.agent_id = a.id) FROM agents a WHERE login = 'wang'");
  ASSERT_EQ(r.rows(), 1);
  EXPECT_EQ(r.str(0, 0), "{zh}");
  EXPECT_EQ(omnigate::schema::write_json(omnigate::schema::parse_json(r.text(0, 1))), R"({"email":20,"web":5})");
  EXPECT_EQ(r.str(0, 2), "VIP,售后");
  // Audited without an actor: the command line made the change.
  EXPECT_EQ(c.exec("SELECT count(*) FROM audit_log WHERE action = 'user.updated' AND actor_id IS NULL").int64(0, 0), 1);
  EXPECT_NE(wait_exit(spawn({binary(), "user", "add", "--db", db, "--login", "wang", "--capacity", "fax=2"},
                            {"OMNIGATE_PASSWORD=a long password"})),
            0);
  EXPECT_NE(wait_exit(spawn({binary(), "user", "add", "--db", db, "--login", "wang", "--capacity", "web"},
                            {"OMNIGATE_PASSWORD=a long password"})),
            0);
}

TEST(Process, SigtermWithRequestsInFlightLosesNoAcknowledgedMessage) {
  std::string db = omnigate::testing::fresh_database(/*migrate=*/false);
  ASSERT_EQ(wait_exit(spawn({binary(), "user", "add", "--db", db, "--login", "boss", "--role", "admin"},
                            {"OMNIGATE_PASSWORD=correct horse battery"})),
            0);
  int port = free_port();
  pid_t gw = spawn({binary(), "serve", "--db", db, "--listen", "127.0.0.1:" + std::to_string(port), "--realtime-listen",
                    "127.0.0.1:" + std::to_string(other_free_port(port)), "--log-level", "warn"});
  ASSERT_TRUE(wait_healthy(port));

  httplib::Client c("127.0.0.1", port);
  auto login = c.Post("/v1/auth/login", R"({"login":"boss","password":"correct horse battery"})", "application/json");
  ASSERT_EQ(login->status, 200);
  std::string token = omnigate::schema::parse_json(login->body)["token"].asString();
  auto created = c.Post("/v1/admin/channels", {{"Authorization", "Bearer " + token}},
                        R"({"type":"webhook","name":"drain"})", "application/json");
  ASSERT_EQ(created->status, 201);
  auto channel = omnigate::schema::parse_json(created->body);
  std::string url = "/v1/hooks/" + channel["token"].asString();
  std::string secret = channel["secrets"]["secret"].asString();

  std::mutex mu;
  std::set<std::string> acked;
  std::atomic<int> sent{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> senders;
  for (int t = 0; t < 8; ++t)
    senders.emplace_back([&, t] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(10);
      for (int i = 0; !stop; ++i) {
        Json::Value m;
        m["external_id"] = "s" + std::to_string(t) + "-" + std::to_string(i);
        m["contact"]["id"] = "c" + std::to_string(i % 13);
        m["text"] = "hello";
        std::string body = omnigate::schema::write_json(m);
        ++sent;
        auto r = client.Post(url, {{"X-Omnigate-Signature", omnigate::adapters::sign_body(secret, body)}}, body,
                             "application/json");
        if (!r) {
          if (stop) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
          continue;
        }
        if (r->status == 200) {
          std::lock_guard lk(mu);
          acked.insert(m["external_id"].asString());
        }
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  ASSERT_EQ(kill(gw, SIGTERM), 0);
  int code = wait_exit(gw);
  stop = true;
  for (auto& s : senders) s.join();
  EXPECT_EQ(code, 0) << "gateway did not exit cleanly";
  ASSERT_GT(acked.size(), 50u) << "the load never got going";

  omnigate::db::PgConnection conn(db);
  std::set<std::string> stored;
  auto r = conn.exec("SELECT external_id FROM messages");
  for (int i = 0; i < r.rows(); ++i) stored.insert(r.str(i, 0));
  size_t missing = 0;
  for (const auto& id : acked) missing += stored.count(id) ? 0 : 1;
  EXPECT_EQ(missing, 0u) << "acknowledged but not stored";
  EXPECT_EQ(static_cast<size_t>(r.rows()), stored.size()) << "a message was stored twice";
  EXPECT_LE(stored.size(), static_cast<size_t>(sent.load()));
}

}  // namespace

namespace {

// The newcomer's path: no database anywhere, just a data directory.
TEST(Process, EmbeddedDatabaseFromCreationToCleanStop) {
  char tmpl[] = "/tmp/omnigate-embedded-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::filesystem::path dir = tmpl;
  // When tests run as root the cluster runs as `postgres`, which must get in.
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                        std::filesystem::perms::others_exec);
  std::string data = (dir / "data").string();

  // user add before the first serve: creates the cluster, starts it, stops it again.
  ASSERT_EQ(wait_exit(spawn({binary(), "user", "add", "--data-dir", data, "--login", "first", "--role", "admin"},
                            {"OMNIGATE_PASSWORD=first-password"})),
            0);
  EXPECT_TRUE(std::filesystem::exists(dir / "data/pg/PG_VERSION"));
  EXPECT_FALSE(std::filesystem::exists(dir / "data/pg/postmaster.pid")) << "user add left the cluster running";

  int port = free_port();
  pid_t gw = spawn({binary(), "serve", "--data-dir", data, "--listen", "127.0.0.1:" + std::to_string(port),
                    "--realtime-listen", "127.0.0.1:" + std::to_string(other_free_port(port)),
                    "--log-level", "warn"});
  ASSERT_TRUE(wait_healthy(port));
  httplib::Client c("127.0.0.1", port);
  EXPECT_EQ(c.Get("/readyz")->status, 200);
  EXPECT_EQ(c.Post("/v1/auth/login", R"({"login":"first","password":"first-password"})", "application/json")->status, 200);

  // user add while serve runs on the same data directory uses the running cluster.
  ASSERT_EQ(wait_exit(spawn({binary(), "user", "add", "--data-dir", data, "--login", "second", "--role", "agent"},
                            {"OMNIGATE_PASSWORD=second-password"})),
            0);
  EXPECT_EQ(c.Post("/v1/auth/login", R"({"login":"second","password":"second-password"})", "application/json")->status, 200);
  EXPECT_EQ(c.Get("/readyz")->status, 200) << "user add stopped the cluster under the running gateway";

  ASSERT_EQ(kill(gw, SIGTERM), 0);
  EXPECT_EQ(wait_exit(gw), 0);
  EXPECT_FALSE(std::filesystem::exists(dir / "data/pg/postmaster.pid")) << "serve left its cluster running";
  // No TCP listener: the cluster only has a unix socket in its own directory.
  std::ifstream conf(dir / "data/pg/postgresql.auto.conf");
  std::string text((std::istreambuf_iterator<char>(conf)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("listen_addresses = ''"), std::string::npos);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
