#include "tests/support/wechat_standin.h"

#include <algorithm>
#include <cstdlib>
#include <random>
#include <set>
#include <stdexcept>

#include "schema/json.h"

namespace omnigate::testing {
namespace {

// The adapters call out with libcurl, which honours *_proxy variables: the
// stand-in is on loopback and must never be reached through a proxy. Set
// before main, while the process has one thread (setenv is not thread-safe).
const bool kNoProxy = [] {
  setenv("no_proxy", "127.0.0.1,localhost", 1);
  setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  return true;
}();

std::string errmsg_for(long errcode) {
  switch (errcode) {
    case -1: return "system error";
    case 0: return "ok";
    case 40001: return "invalid credential, access_token is invalid or not latest";
    case 40002: return "invalid grant_type";
    case 40003: return "invalid openid";
    case 40008: return "invalid message type";
    case 40013: return "invalid appid";
    case 40014: return "invalid access_token";
    case 40125: return "invalid appsecret";
    case 41001: return "access_token missing";
    case 42001: return "access_token expired";
    case 43001: return "require GET method";
    case 43002: return "require POST method";
    case 44004: return "empty content";
    case 45009: return "reach max api daily quota limit";
    case 45011: return "api minute-quota reach limit  mustslower  retry next minute";
    case 45015: return "response out of time limit or subscription is canceled";
    case 45047: return "out of response count limit";
    case 47001: return "data format error";
    case 95007: return "invalid msg token";
    case 95008: return "invalid cursor";
    default: return "error";
  }
}

std::string random_hex(size_t n) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) out += digits[rng() % 16];
  return out;
}

// WeChat's error answers: errcode, errmsg with a request id appended.
Json::Value error(long errcode, const std::string& errmsg = {}) {
  Json::Value j(Json::objectValue);
  j["errcode"] = Json::Int64(errcode);
  j["errmsg"] = (errmsg.empty() ? errmsg_for(errcode) : errmsg) + " rid: " + random_hex(24);
  return j;
}

std::string first(const std::multimap<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? std::string() : it->second;
}

bool nonempty_string(const Json::Value& v) { return v.isString() && !v.asString().empty(); }

// Checks a message body as WeChat does; null when it is fine.
Json::Value check_message(const Json::Value& body, bool kf) {
  if (!body.isObject()) return error(47001);
  if (!nonempty_string(body["touser"])) return error(40003);
  if (kf && !nonempty_string(body["open_kfid"])) return error(47001, "data format error: open_kfid missing");
  if (!body["msgtype"].isString()) return error(47001);
  std::string type = body["msgtype"].asString();
  static const std::set<std::string> kTypes = {"text", "image", "voice", "video", "music", "news", "mpnews",
                                               "msgmenu", "wxcard", "miniprogrampage", "file", "link",
                                               "location", "business_card"};
  if (!kTypes.count(type)) return error(40008);
  if (!body[type].isObject()) return error(47001);
  if (type == "text" && !nonempty_string(body["text"]["content"])) return error(44004);
  if ((type == "image" || type == "voice" || type == "file") && !nonempty_string(body[type]["media_id"]))
    return error(47001, "data format error: media_id missing");
  return Json::Value();
}

}  // namespace

std::string WechatApiRequest::param(const std::string& name) const { return first(query, name); }

long WechatApiRequest::errcode() const {
  const Json::Value& c = answer["errcode"];
  return c.isIntegral() ? static_cast<long>(c.asInt64()) : 0;
}

WechatStandin::WechatStandin() {
  (void)kNoProxy;
  auto h = [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); };
  server_.Get(R"(/cgi-bin/.*)", h);
  server_.Post(R"(/cgi-bin/.*)", h);
  // As WeChat's own front ends (nginx) do: a keep-alive connection's answer
  // must not wait for the client's delayed ACK (Nagle), or every reused
  // connection would cost the dispatcher 40 ms a delivery.
  server_.set_tcp_nodelay(true);
  // stop() waits for idle keep-alive connections to time out: keep that
  // short (the dispatcher's connection is busy while a test or bench runs).
  server_.set_keep_alive_timeout(1);
  server_.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("WechatStandin: cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
}

WechatStandin::~WechatStandin() {
  server_.stop();
  thread_.join();
}

std::string WechatStandin::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void WechatStandin::set_send_latency(std::chrono::milliseconds latency) {
  std::lock_guard lk(mu_);
  send_latency_ = latency;
}

void WechatStandin::add_app(const std::string& appid, const std::string& secret) {
  std::lock_guard lk(mu_);
  apps_[appid] = secret;
}

void WechatStandin::add_corp(const std::string& corpid, const std::string& secret) {
  std::lock_guard lk(mu_);
  corps_[corpid] = secret;
}

void WechatStandin::set_expires_in(int seconds) {
  std::lock_guard lk(mu_);
  expires_in_ = seconds;
}

void WechatStandin::set_invalidate_previous(bool on) {
  std::lock_guard lk(mu_);
  invalidate_previous_ = on;
}

std::string WechatStandin::current_token(const std::string& id) const {
  std::lock_guard lk(mu_);
  auto it = current_.find(id);
  return it == current_.end() ? std::string() : it->second;
}

void WechatStandin::expire_token(const std::string& token) {
  std::lock_guard lk(mu_);
  auto it = tokens_.find(token);
  if (it == tokens_.end()) throw std::invalid_argument("WechatStandin: no such token: " + token);
  it->second.state = Token::State::expired;
}

void WechatStandin::revoke_token(const std::string& token) {
  std::lock_guard lk(mu_);
  auto it = tokens_.find(token);
  if (it == tokens_.end()) throw std::invalid_argument("WechatStandin: no such token: " + token);
  it->second.state = Token::State::revoked;
}

void WechatStandin::add_kf_message(const Json::Value& entry) {
  std::lock_guard lk(mu_);
  kf_messages_.push_back(entry);
}

void WechatStandin::add_kf_token(const std::string& token) {
  std::lock_guard lk(mu_);
  kf_tokens_.push_back(token);
}

void WechatStandin::set_kf_page_size(size_t n) {
  std::lock_guard lk(mu_);
  kf_page_size_ = n == 0 ? 1 : n;
}

void WechatStandin::fail_next_send(long errcode, const std::string& errmsg) {
  std::lock_guard lk(mu_);
  send_script_.push_back({errcode, errmsg});
}

void WechatStandin::fail_next_token(long errcode, const std::string& errmsg) {
  std::lock_guard lk(mu_);
  token_script_.push_back({errcode, errmsg});
}

std::vector<WechatApiRequest> WechatStandin::requests(const std::string& path) const {
  std::lock_guard lk(mu_);
  if (path.empty()) return log_;
  std::vector<WechatApiRequest> out;
  for (const auto& r : log_)
    if (r.path == path) out.push_back(r);
  return out;
}

size_t WechatStandin::count(const std::string& path) const { return requests(path).size(); }

std::vector<WechatApiRequest> WechatStandin::accepted_sends() const {
  std::lock_guard lk(mu_);
  std::vector<WechatApiRequest> out;
  for (const auto& r : log_)
    if ((r.path == kCustomSendPath || r.path == kKfSendPath) && r.errcode() == 0) out.push_back(r);
  return out;
}

bool WechatStandin::wait_for(const std::string& path, size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lk(mu_);
  return cv_.wait_for(lk, timeout, [&] {
    size_t seen = 0;
    for (const auto& r : log_)
      if (r.path == path) ++seen;
    return seen >= n;
  });
}

void WechatStandin::clear_requests() {
  std::lock_guard lk(mu_);
  log_.clear();
}

void WechatStandin::handle(const httplib::Request& req, httplib::Response& res) {
  WechatApiRequest rec;
  rec.method = req.method;
  rec.path = req.path;
  for (const auto& [k, v] : req.params) rec.query.emplace(k, v);
  rec.body = req.body;
  rec.at = std::chrono::steady_clock::now();
  if (!req.body.empty()) {
    try {
      rec.json = schema::parse_json(req.body);
    } catch (const std::exception&) {
      rec.json = Json::Value();
    }
  }

  const bool is_token = req.path == kTokenPath || req.path == kWecomTokenPath;
  const bool is_send = req.path == kCustomSendPath || req.path == kKfSendPath;
  if (is_send) {
    std::chrono::milliseconds latency;
    {
      std::lock_guard lk(mu_);
      latency = send_latency_;
    }
    if (latency.count() > 0) std::this_thread::sleep_for(latency);
  }
  const bool is_sync = req.path == kKfSyncPath;
  if (req.path == kApiDomainIpPath) {
    rec.answer = req.method == "GET" ? api_domain_ip(req) : error(43001);
  } else if (is_sync) {
    if (req.method != "POST")
      rec.answer = error(43002);
    else if (rec.json.isNull() && !req.body.empty())
      rec.answer = error(47001);
    else
      rec.answer = kf_sync(req, rec.json);
  } else if (!is_token && !is_send) {
    res.status = 404;
    rec.answer = error(404, "not found in the WeChat stand-in");
  } else if (is_token && req.method != "GET") {
    rec.answer = error(43001);
  } else if (is_send && req.method != "POST") {
    rec.answer = error(43002);
  } else if (is_token) {
    rec.answer = issue_token(req, req.path == kWecomTokenPath);
  } else if (rec.json.isNull() && !req.body.empty()) {
    rec.answer = error(47001);
  } else {
    rec.answer = send(req, rec.json, req.path == kKfSendPath);
  }
  res.set_content(schema::write_json(rec.answer), "application/json; encoding=utf-8");
  {
    std::lock_guard lk(mu_);
    log_.push_back(std::move(rec));
  }
  cv_.notify_all();
}

Json::Value WechatStandin::issue_token(const httplib::Request& req, bool wecom) {
  std::lock_guard lk(mu_);
  if (!token_script_.empty()) {
    Scripted s = token_script_.front();
    token_script_.pop_front();
    return error(s.errcode, s.errmsg);
  }
  std::string id, secret;
  if (wecom) {
    id = req.get_param_value("corpid");
    secret = req.get_param_value("corpsecret");
    auto it = corps_.find(id);
    if (it == corps_.end()) return error(40013, "invalid corpid");
    if (it->second != secret) return error(40001, "invalid credential");
  } else {
    if (req.get_param_value("grant_type") != "client_credential") return error(40002);
    id = req.get_param_value("appid");
    secret = req.get_param_value("secret");
    auto it = apps_.find(id);
    if (it == apps_.end()) return error(40013);
    if (it->second != secret) return error(40125);
  }
  std::string token = "ACCESS_TOKEN_" + std::to_string(++serial_) + "_" + random_hex(32);
  if (invalidate_previous_) {
    auto prev = current_.find(id);
    if (prev != current_.end()) {
      auto t = tokens_.find(prev->second);
      if (t != tokens_.end() && t->second.state == Token::State::valid) t->second.state = Token::State::replaced;
    }
  }
  tokens_[token] = Token{id, wecom, std::chrono::steady_clock::now() + std::chrono::seconds(expires_in_)};
  current_[id] = token;

  Json::Value j(Json::objectValue);
  if (wecom) {
    j["errcode"] = 0;
    j["errmsg"] = "ok";
  }
  j["access_token"] = token;
  j["expires_in"] = expires_in_;
  return j;
}

Json::Value WechatStandin::api_domain_ip(const httplib::Request& req) const {
  std::lock_guard lk(mu_);
  std::string token = req.get_param_value("access_token");
  auto it = tokens_.find(token);
  bool wecom = it != tokens_.end() && it->second.wecom;
  Json::Value refused = check_token(token, wecom);
  if (!refused.isNull()) return refused;
  Json::Value j(Json::objectValue);
  if (wecom) {
    j["errcode"] = 0;
    j["errmsg"] = "ok";
  }
  j["ip_list"].append("127.0.0.1");
  return j;
}

// Null when the token is good for this API; WeChat's error otherwise.
Json::Value WechatStandin::check_token(const std::string& token, bool wecom) const {
  if (token.empty()) return error(41001);
  auto it = tokens_.find(token);
  // WeCom calls a token it does not know 40014, the Official Account 40001.
  long invalid = wecom ? 40014 : 40001;
  if (it == tokens_.end() || it->second.wecom != wecom) return error(invalid);
  switch (it->second.state) {
    case Token::State::valid:
      if (std::chrono::steady_clock::now() >= it->second.expires_at) return error(42001);
      return Json::Value();
    case Token::State::expired: return error(42001);
    case Token::State::revoked:
    case Token::State::replaced: return error(invalid);
  }
  return error(invalid);
}

Json::Value WechatStandin::send(const httplib::Request& req, const Json::Value& body, bool kf) {
  std::lock_guard lk(mu_);
  Json::Value refused = check_token(req.get_param_value("access_token"), kf);
  if (!refused.isNull()) return refused;
  if (!send_script_.empty()) {
    Scripted s = send_script_.front();
    send_script_.pop_front();
    return error(s.errcode, s.errmsg);
  }
  Json::Value bad = check_message(body, kf);
  if (!bad.isNull()) return bad;
  Json::Value ok(Json::objectValue);
  ok["errcode"] = 0;
  ok["errmsg"] = "ok";
  if (kf) ok["msgid"] = "kfmsg_" + std::to_string(++serial_);
  return ok;
}

// Cursors are opaque to the caller, as WeChat's are: "kfc" + a position.
Json::Value WechatStandin::kf_sync(const httplib::Request& req, const Json::Value& body) {
  std::lock_guard lk(mu_);
  Json::Value refused = check_token(req.get_param_value("access_token"), true);
  if (!refused.isNull()) return refused;
  if (!body.isNull() && !body.isObject()) return error(47001);
  const Json::Value& token = body["token"];
  if (token.isString() && !token.asString().empty()) {
    bool known = false;
    for (const auto& t : kf_tokens_) known = known || t == token.asString();
    if (!known) return error(95007);
  }
  size_t pos = 0;
  const Json::Value& cursor = body["cursor"];
  if (cursor.isString() && !cursor.asString().empty()) {
    const std::string c = cursor.asString();
    try {
      if (c.rfind("kfc", 0) != 0) throw std::invalid_argument(c);
      size_t used = 0;
      pos = std::stoul(c.substr(3), &used);
      if (used != c.size() - 3 || pos > kf_messages_.size()) throw std::invalid_argument(c);
    } catch (const std::exception&) {
      return error(95008);
    }
  }
  size_t limit = kf_page_size_;
  if (body["limit"].isIntegral() && body["limit"].asInt64() > 0)
    limit = std::min(limit, static_cast<size_t>(body["limit"].asInt64()));
  Json::Value ok(Json::objectValue);
  ok["errcode"] = 0;
  ok["errmsg"] = "ok";
  Json::Value& list = ok["msg_list"] = Json::Value(Json::arrayValue);
  size_t end = std::min(kf_messages_.size(), pos + limit);
  for (size_t i = pos; i < end; ++i) list.append(kf_messages_[i]);
  ok["next_cursor"] = "kfc" + std::to_string(end);
  ok["has_more"] = end < kf_messages_.size() ? 1 : 0;
  return ok;
}

}  // namespace omnigate::testing
