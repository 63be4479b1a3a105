#include "tests/support/smtp_server.h"

#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "schema/json.h"

#ifndef OMNIGATE_SMTP_SERVER_SCRIPT
#error "OMNIGATE_SMTP_SERVER_SCRIPT must name tests/support/smtp_server.py"
#endif

namespace omnigate::testing {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Written whole under a temporary name and renamed: the server never reads
// a half-written file.
void write_file_atomically(const fs::path& p, const std::string& content) {
  fs::path tmp = p;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
  }
  fs::rename(tmp, p);
}

std::string tail(const std::string& s, size_t n = 2000) { return s.size() > n ? s.substr(s.size() - n) : s; }

}  // namespace

SmtpServer::SmtpServer(Options options) {
  char tmpl[] = "/tmp/omnigate-smtp-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("SmtpServer: mkdtemp failed");
  dir_ = tmpl;
  mail_dir_ = dir_ / "mail";
  fs::create_directory(mail_dir_);
  rules_ = Json::Value(Json::objectValue);
  write_rules();

  std::vector<std::string> argv = {"/usr/bin/python3", OMNIGATE_SMTP_SERVER_SCRIPT,
                                   "--dir",            mail_dir_.string(),
                                   "--port-file",      (dir_ / "port").string(),
                                   "--rules",          (dir_ / "rules.json").string()};
  if (!options.username.empty()) {
    argv.insert(argv.end(), {"--user", options.username, "--password", options.password});
  }
  process_ = std::make_unique<ChildProcess>(argv, (dir_ / "server.log").string());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (port_ == 0) {
    if (fs::exists(dir_ / "port")) port_ = std::stoi(read_file(dir_ / "port"));
    if (port_ != 0) break;
    if (!process_->running() || std::chrono::steady_clock::now() > deadline) {
      std::string log = read_file(dir_ / "server.log");
      process_->stop();
      throw std::runtime_error("SmtpServer did not start: " + tail(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

SmtpServer::~SmtpServer() {
  stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string SmtpServer::url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

void SmtpServer::write_rules() { write_file_atomically(dir_ / "rules.json", schema::write_json(rules_)); }

void SmtpServer::answer_recipient(const std::string& address, int code, const std::string& text) {
  Json::Value answer(Json::arrayValue);
  answer.append(code);
  answer.append(text);
  rules_["recipients"][address] = answer;
  write_rules();
}

void SmtpServer::answer_data(int code, const std::string& text) {
  Json::Value answer(Json::arrayValue);
  answer.append(code);
  answer.append(text);
  rules_["data"] = answer;
  write_rules();
}

void SmtpServer::clear_answers() {
  rules_ = Json::Value(Json::objectValue);
  write_rules();
}

std::vector<ReceivedMail> SmtpServer::received() const {
  std::vector<fs::path> envelopes;
  for (const auto& entry : fs::directory_iterator(mail_dir_))
    if (entry.path().extension() == ".json") envelopes.push_back(entry.path());
  std::sort(envelopes.begin(), envelopes.end());  // zero-padded counters: arrival order
  std::vector<ReceivedMail> out;
  for (const fs::path& p : envelopes) {
    Json::Value j = schema::parse_json(read_file(p));
    ReceivedMail m;
    m.mail_from = j["mail_from"].asString();
    for (const Json::Value& r : j["rcpt_tos"]) m.recipients.push_back(r.asString());
    m.data = read_file(j["eml"].asString());
    out.push_back(std::move(m));
  }
  return out;
}

bool SmtpServer::wait_for(std::size_t n, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (received().size() < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void SmtpServer::stop() {
  if (process_) process_->stop();
}

}  // namespace omnigate::testing
