// omnigate: serve | migrate | user add | version
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <iostream>
#include <thread>

#include <json/writer.h>

#include "adapters/email/mime_parser.h"
#include "adapters/email/normalize.h"
#include "gateway/config.h"
#include "gateway/database.h"
#include "gateway/db/migrator.h"
#include "gateway/gateway.h"
#include "gateway/logging.h"
#include "gateway/store/agent_store.h"
#include "schema/json.h"
#include "workbench/auth/password.h"

using namespace omnigate;

namespace {

// Flags shared by every subcommand that touches the database.
struct DbFlags {
  std::string config_file, data_dir, db, log_level;
  void add(CLI::App* cmd) {
    cmd->add_option("--config", config_file, "JSON config file");
    cmd->add_option("--data-dir", data_dir, "data directory (embedded database, default ./data)");
    cmd->add_option("--db", db, "PostgreSQL URL; without it the embedded cluster in --data-dir is used");
    cmd->add_option("--log-level", log_level, "trace|debug|info|warn|error");
  }
  gateway::Config load(gateway::Config cfg = {}) const {
    if (!config_file.empty()) cfg.apply_file(config_file);
    cfg.apply_env();
    if (!data_dir.empty()) cfg.data_dir = data_dir;
    if (!db.empty()) cfg.db = db;
    if (!log_level.empty()) cfg.log_level = log_level;
    return cfg;
  }
};

// --team/--skill/--capacity of `user add` as changes to the user; the
// capacity keys are checked by the model's own reader ("web=5", "default=1").
store::AgentChanges profile_changes(const std::vector<std::string>& teams, const std::vector<std::string>& skills,
                                    const std::vector<std::string>& capacity) {
  store::AgentChanges c;
  if (!teams.empty()) {
    c.teams.emplace();
    for (const auto& t : teams) c.teams->push_back(store::TeamRef{std::nullopt, t});
  }
  if (!skills.empty()) c.skills = skills;
  if (!capacity.empty()) {
    Json::Value wrapper(Json::objectValue);
    for (const auto& item : capacity) {
      auto eq = item.find('=');
      int n = -1;
      try {
        if (eq != std::string::npos) n = std::stoi(item.substr(eq + 1));
      } catch (const std::exception&) {
      }
      if (n < 0 || n > 1000) throw std::invalid_argument("--capacity " + item + ": expected TYPE=N with N in 0..1000");
      wrapper["capacity"][item.substr(0, eq)] = n;
    }
    c.capacity = schema::agent_from_json(wrapper).capacity;
  }
  return c;
}

// OMNIGATE_PASSWORD, else asked on the terminal without echo, else one line of stdin.
std::string read_password() {
  if (const char* env = std::getenv("OMNIGATE_PASSWORD"); env && *env) return env;
  std::string pw;
  if (isatty(STDIN_FILENO)) {
    termios old{};
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    std::cerr << "Password: " << std::flush;
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::getline(std::cin, pw);
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  } else {
    std::getline(std::cin, pw);
  }
  return pw;
}

int serve(const gateway::Config& cfg) {
  // Signals are taken by one thread with sigwait; every other thread,
  // created after this mask is set, inherits it blocked.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  gateway::Gateway gw(cfg);
  gw.start();
  std::atomic<bool> finished{false};
  std::thread signals([&] {
    int sig = 0;
    sigwait(&set, &sig);
    if (finished) return;
    spdlog::info("event=gateway.signal signal={}", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    gw.stop();
  });
  gw.run();
  finished = true;
  pthread_kill(signals.native_handle(), SIGTERM);  // wakes sigwait if no signal came
  signals.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"omnigate: one gateway for every support channel"};
  app.require_subcommand(1);

  DbFlags serve_flags;
  std::string listen, realtime_listen;
  auto* serve_cmd = app.add_subcommand("serve", "run the gateway");
  serve_flags.add(serve_cmd);
  serve_cmd->add_option("--listen", listen, "HTTP listen address HOST:PORT (default 127.0.0.1:8080)");
  serve_cmd->add_option("--realtime-listen", realtime_listen, "WebSocket listen address HOST:PORT (default: HTTP port + 1)");

  DbFlags migrate_flags;
  auto* migrate_cmd = app.add_subcommand("migrate", "apply database migrations and exit");
  migrate_flags.add(migrate_cmd);

  DbFlags user_flags;
  std::string login, role = "agent", name;
  auto* user_cmd = app.add_subcommand("user", "manage users")->require_subcommand(1);
  auto* user_add = user_cmd->add_subcommand("add", "create a user, or reset an existing user's role and password");
  user_flags.add(user_add);
  user_add->add_option("--login", login, "login name")->required();
  user_add->add_option("--role", role, "admin or agent")->check(CLI::IsMember({"admin", "agent"}));
  user_add->add_option("--name", name, "display name");
  std::vector<std::string> user_teams, user_skills, user_capacity;
  user_add->add_option("--team", user_teams, "team name, repeatable (created when missing; replaces the user's teams)");
  user_add->add_option("--skill", user_skills, "skill, repeatable (replaces the user's skills)");
  user_add->add_option("--capacity", user_capacity, "TYPE=N open conversations per channel type (or default=N), repeatable");

  std::string inspect_file;
  auto* inspect_cmd = app.add_subcommand("inspect", "show how omnigate reads a channel's raw input")->require_subcommand(1);
  auto* inspect_email = inspect_cmd->add_subcommand("email", "print a raw RFC 822 mail as the normalized message JSON");
  inspect_email->add_option("FILE", inspect_file, "the .eml file (- for standard input)")->required();

  auto* version_cmd = app.add_subcommand("version", "print the version");

  CLI11_PARSE(app, argc, argv);

  try {
    if (*inspect_email) {
      // The same parse + normalize path the email channel uses.
      std::string raw;
      if (inspect_file == "-") {
        raw.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
      } else {
        std::ifstream in(inspect_file, std::ios::binary);
        if (!in) {
          std::cerr << "error: cannot read " << inspect_file << "\n";
          return 1;
        }
        raw.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
      auto mail = adapters::email::parse_email(raw);
      Json::StreamWriterBuilder pretty;
      pretty["indentation"] = "  ";
      pretty["emitUTF8"] = true;
      std::cout << Json::writeString(pretty, schema::to_json(adapters::email::normalize(mail))) << "\n";
      return 0;
    }
    if (*version_cmd) {
      std::cout << "omnigate " << OMNIGATE_VERSION << "\n";
      return 0;
    }
    if (*serve_cmd) {
      auto cfg = serve_flags.load();
      if (!listen.empty()) cfg.listen = listen;
      if (!realtime_listen.empty()) cfg.realtime_listen = realtime_listen;
      cfg.validate();
      gateway::init_logging(cfg.log_level);
      return serve(cfg);
    }
    if (*migrate_cmd) {
      auto cfg = migrate_flags.load();
      cfg.validate();
      gateway::init_logging(cfg.log_level);
      gateway::Database database(cfg);
      db::PgConnection c(database.conninfo());
      int n = db::apply_migrations(c);
      std::cout << "applied " << n << " migration(s); schema version " << db::migration_status(c).applied << "\n";
      return 0;
    }
    if (*user_add) {
      auto cfg = user_flags.load();
      cfg.validate();
      gateway::init_logging(cfg.log_level.empty() ? "warn" : cfg.log_level);
      std::string password = read_password();
      if (password.size() < 8) {
        std::cerr << "error: the password must have at least 8 characters (set OMNIGATE_PASSWORD)\n";
        return 2;
      }
      gateway::Database database(cfg);
      {
        db::PgConnection c(database.conninfo());
        db::apply_migrations(c);
      }
      auto changes = profile_changes(user_teams, user_skills, user_capacity);  // before the slow hash
      db::ConnectionPool pool(database.conninfo(), 2);
      store::AgentStore agents(pool);
      auto agent = agents.upsert(login, name, schema::role_from_string(role), workbench::hash_password(password));
      if (!changes.empty()) agent = agents.update(agent.id, changes, /*actor: the command line*/ std::nullopt);
      std::cout << schema::write_json(schema::to_json(agent)) << "\n";
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
