#include "tests/support/imap_server.h"

#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace omnigate::testing {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("ImapServer: cannot write " + p.string());
}

std::string tail(const std::string& s, size_t n = 2000) { return s.size() > n ? s.substr(s.size() - n) : s; }

// A port the kernel just handed out and released: free unless another
// process takes it in the moment before dovecot binds it (start() retries).
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("ImapServer: socket() failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  if (port == 0) throw std::runtime_error("ImapServer: no free port");
  return port;
}

// True once something on the port answers with an IMAP greeting.
bool greets(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    char buf[64] = {0};
    ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
    ok = n > 4 && std::string_view(buf, static_cast<size_t>(n)).starts_with("* OK");
  }
  close(fd);
  return ok;
}

std::string user_name(uid_t uid) {
  passwd* pw = getpwuid(uid);
  if (!pw) throw std::runtime_error("ImapServer: the current user has no name");
  return pw->pw_name;
}

std::string group_name(gid_t gid) {
  group* gr = getgrgid(gid);
  if (!gr) throw std::runtime_error("ImapServer: the current group has no name");
  return gr->gr_name;
}

}  // namespace

ImapServer::ImapServer() {
  char tmpl[] = "/tmp/omnigate-imap-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("ImapServer: mkdtemp failed");
  dir_ = tmpl;
  // The mail processes may run as another user (as root: nobody) and must
  // reach the maildir.
  fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
  maildir_ = dir_ / "Maildir";
  for (const char* sub : {"", "cur", "new", "tmp"}) fs::create_directories(maildir_ / sub);

  std::string login_user, internal_user, internal_group;
  if (geteuid() == 0) {
    // Dovecot refuses to run its login processes or a mail user as root.
    passwd* nobody = getpwnam("nobody");
    if (!nobody || !getpwnam("dovenull") || !getpwnam("dovecot"))
      throw std::runtime_error("ImapServer: as root it needs the users nobody, dovenull and dovecot (dovecot-core)");
    mail_uid_ = nobody->pw_uid;
    mail_gid_ = nobody->pw_gid;
    login_user = "dovenull";
    internal_user = internal_group = "dovecot";
  } else {
    mail_uid_ = geteuid();
    mail_gid_ = getegid();
    login_user = internal_user = user_name(geteuid());
    internal_group = group_name(getegid());
  }
  own(maildir_);
  for (const char* sub : {"cur", "new", "tmp"}) own(maildir_ / sub);
  write_file(dir_ / "passwd", username_ + ":{PLAIN}" + password_ + "\n");

  fs::create_directories(dir_ / "run");
  fs::create_directories(dir_ / "state");
  std::ostringstream conf;
  conf << "protocols = imap\n"
       << "listen = 127.0.0.1\n"
       << "base_dir = " << (dir_ / "run").string() << "\n"
       << "state_dir = " << (dir_ / "state").string() << "\n"
       << "instance_name = omnigate-test-" << fs::path(dir_).filename().string() << "\n"
       << "log_path = " << (dir_ / "dovecot.log").string() << "\n"
       << "ssl = no\n"
       << "disable_plaintext_auth = no\n"
       << "auth_mechanisms = plain login\n"
       << "default_login_user = " << login_user << "\n"
       << "default_internal_user = " << internal_user << "\n"
       << "default_internal_group = " << internal_group << "\n"
       << "first_valid_uid = 1\n"
       << "mail_location = maildir:" << maildir_.string() << "\n"
       << "passdb {\n  driver = passwd-file\n  args = scheme=PLAIN " << (dir_ / "passwd").string() << "\n}\n"
       << "userdb {\n  driver = static\n  args = uid=" << mail_uid_ << " gid=" << mail_gid_
       << " home=" << dir_.string() << "\n}\n"
       << "service anvil {\n  chroot =\n}\n"
       << "service imap-login {\n  chroot =\n"
       << "  inet_listener imap {\n    address = 127.0.0.1\n    port = PORT\n  }\n"
       << "  inet_listener imaps {\n    port = 0\n  }\n}\n";
  write_file(dir_ / "dovecot.conf.in", conf.str());
  start();
}

ImapServer::~ImapServer() {
  stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void ImapServer::own(const fs::path& p) const {
  if (geteuid() == 0 && chown(p.c_str(), mail_uid_, mail_gid_) != 0)
    throw std::runtime_error("ImapServer: cannot hand " + p.string() + " to the mail user");
}

void ImapServer::start() {
  std::string conf = read_file(dir_ / "dovecot.conf.in");
  std::string last_log;
  // A restart keeps the port (clients are configured with it); only the
  // first start may pick another after losing a race for it.
  const bool first_start = port_ == 0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (first_start) port_ = free_port();
    std::string c = conf;
    c.replace(c.find("PORT"), 4, std::to_string(port_));
    write_file(dir_ / "dovecot.conf", c);
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/sbin/dovecot", "-F", "-c", (dir_ / "dovecot.conf").string()},
        (dir_ / "server.log").string());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline && process_->running()) {
      if (greets(port_)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    process_->stop();
    last_log = read_file(dir_ / "server.log") + read_file(dir_ / "dovecot.log");
    // Only a lost port race is worth a retry (on a restart: the old
    // listener's socket lingering a moment).
    if (last_log.find("Address already in use") == std::string::npos) break;
    if (!first_start) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  throw std::runtime_error("ImapServer: dovecot did not start: " + tail(last_log));
}

void ImapServer::stop() {
  if (process_) process_->stop();
  process_.reset();
}

std::string ImapServer::url(const std::string& mailbox) const {
  return "imap://127.0.0.1:" + std::to_string(port_) + "/" + mailbox;
}

void ImapServer::deliver(const std::string& raw) {
  // Maildir wants LF line ends on disk; dovecot serves CRLF.
  std::string lf;
  lf.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i)
    if (!(raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n')) lf.push_back(raw[i]);
  // Names sort in delivery order; the part after the dot is unique.
  char name[96];
  snprintf(name, sizeof name, "%010d.P%dQ%d.omnigate-test", 1700000000 + delivered_, static_cast<int>(getpid()),
           delivered_);
  ++delivered_;
  fs::path tmp = maildir_ / "tmp" / name;
  write_file(tmp, lf);
  own(tmp);
  fs::rename(tmp, maildir_ / "new" / name);
}

fs::path ImapServer::folder_path(const std::string& folder) const {
  return folder == "INBOX" ? maildir_ : maildir_ / ("." + folder);  // Maildir++ subfolders
}

std::vector<ImapServer::StoredMail> ImapServer::mails(const std::string& folder) const {
  std::vector<std::pair<std::string, fs::path>> files;
  fs::path base = folder_path(folder);
  for (const char* sub : {"new", "cur"}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(base / sub, ec)) files.emplace_back(entry.path().filename(), entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<StoredMail> out;
  for (const auto& [name, path] : files) {
    StoredMail m;
    m.data = read_file(path);
    size_t info = name.find(":2,");
    if (info != std::string::npos) m.flags = name.substr(info + 3);
    out.push_back(std::move(m));
  }
  return out;
}

void ImapServer::renumber_inbox() {
  stop();
  for (const auto& entry : fs::directory_iterator(maildir_)) {
    std::string name = entry.path().filename();
    if (name.starts_with("dovecot")) fs::remove_all(entry.path());  // dovecot-uidlist, dovecot.index*
  }
  // Give the UIDVALIDITY (a timestamp) a new second to land on.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  start();
}

}  // namespace omnigate::testing
