// og_ws_load: idle-connection and chat-latency load for the realtime hub.
//
//   og_ws_load --ws-port R --http-port P --token BEARER --channel KEY
//              [--host 127.0.0.1] [--gateway-pid PID] [--connections 2000]
//              [--rate 200] [--duration 5] [--sources 0 (auto)]
//              [--origin URL] [--connect-window 512] [--http-pool 32]
//              [--settle 3] [--drain 15] [--run-id ID] [--result-file PATH]
//
// What it does (one io_context, one thread, everything asynchronous):
//   1. connects the agent socket (/v1/ws/agent?token=...): the tool is the
//      agent; on every message.created of a visitor message it POSTs the
//      reply over a small pool of keep-alive HTTP connections;
//   2. opens --connections idle visitor sockets (/v1/ws/visitor), each with
//      its own visitor id: hello sent, welcome awaited. The client side is
//      spread over the source addresses 127.0.0.2 .. 127.0.0.(1+k) (bind
//      before connect, IP_BIND_ADDRESS_NO_PORT) to pass the ~28k ephemeral
//      ports per source address. At most --connect-window handshakes are in
//      flight at once. Reports the time to connect them all and, with
//      --gateway-pid, the gateway's VmRSS before and after (settled for
//      --settle seconds): (after - before) / N KiB per connection;
//   3. runs a chat load at --rate messages/s for --duration seconds on
//      random connections (open loop: sends are scheduled by the clock, not
//      by answers). Each message's round trip is: visitor send -> the
//      agent socket sees message.created -> the tool POSTs the reply ->
//      the visitor receives the reply. Also reported: visitor -> agent
//      one-way latency and visitor send -> ack;
//   4. waits up to --drain seconds for stragglers, then checks that every
//      send was acknowledged, every acknowledged message reached the agent,
//      every reply was stored and every stored reply reached its visitor
//      (and only that visitor); prints a Markdown table and exits 0 only if
//      nothing was lost.
//
// Only loopback (127.0.0.0/8) targets are accepted.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <json/json.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench/tool_common.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr const char* kTool = "og_ws_load";
[[noreturn]] void die(const std::string& message) { omnigate::bench::die(kTool, message); }

struct Options {
  std::string host = "127.0.0.1";
  int ws_port = 0;
  int http_port = 0;
  std::string token;
  std::string channel;
  std::string origin;
  int gateway_pid = 0;
  int connections = 2000;
  double rate = 200;
  double duration = 5;
  int sources = 0;
  int connect_window = 512;
  int http_pool = 32;
  double settle = 3;
  double drain = 15;
  std::string run_id;
  std::string result_file;
};

Options parse_args(int argc, char** argv) {
  Options o;
  auto need = [&](int& i) -> std::string {
    if (i + 1 >= argc) die(std::string("missing value for ") + argv[i]);
    return argv[++i];
  };
  auto num = [](const std::string& flag, const std::string& v) { return omnigate::bench::number_arg(kTool, flag, v); };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--host") o.host = need(i);
    else if (a == "--ws-port") o.ws_port = static_cast<int>(num(a, need(i)));
    else if (a == "--http-port") o.http_port = static_cast<int>(num(a, need(i)));
    else if (a == "--token") o.token = need(i);
    else if (a == "--channel") o.channel = need(i);
    else if (a == "--origin") o.origin = need(i);
    else if (a == "--gateway-pid") o.gateway_pid = static_cast<int>(num(a, need(i)));
    else if (a == "--connections") o.connections = static_cast<int>(num(a, need(i)));
    else if (a == "--rate") o.rate = num(a, need(i));
    else if (a == "--duration") o.duration = num(a, need(i));
    else if (a == "--sources") o.sources = static_cast<int>(num(a, need(i)));
    else if (a == "--connect-window") o.connect_window = static_cast<int>(num(a, need(i)));
    else if (a == "--http-pool") o.http_pool = static_cast<int>(num(a, need(i)));
    else if (a == "--settle") o.settle = num(a, need(i));
    else if (a == "--drain") o.drain = num(a, need(i));
    else if (a == "--run-id") o.run_id = need(i);
    else if (a == "--result-file") o.result_file = need(i);
    else if (a == "-h" || a == "--help") {
      std::cout << "usage: og_ws_load --ws-port R --http-port P --token BEARER --channel KEY [options]\n"
                   "see the comment at the top of bench/ws_load.cpp\n";
      std::exit(0);
    } else die("unknown argument: " + a);
  }
  if (o.ws_port <= 0 || o.http_port <= 0) die("--ws-port and --http-port are required");
  if (o.token.empty() || o.channel.empty()) die("--token and --channel are required");
  if (o.connections < 1) die("--connections must be >= 1");
  if (o.connect_window < 1 || o.http_pool < 1) die("--connect-window and --http-pool must be >= 1");
  beast::error_code ec;
  auto addr = net::ip::make_address_v4(o.host, ec);
  if (ec || (addr.to_uint() >> 24) != 127) die("--host must be an IPv4 loopback address (127.0.0.0/8)");
  if (o.sources == 0) o.sources = std::max(2, (o.connections + 9999) / 10000);
  if (o.sources > 250) die("--sources: at most 250");
  if (o.run_id.empty()) o.run_id = std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000007);
  return o;
}

// VmRSS of a process in KiB (-1 if unreadable).
long vm_rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

int open_fds(int pid) {
  std::error_code ec;
  int n = 0;
  for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++n;
  return ec ? -1 : n;
}

// utime + stime of a process, in clock ticks (-1 if unreadable).
long long cpu_ticks(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = all.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(all.substr(close + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::atoll(field.c_str());
    if (i == 15) stime = std::atoll(field.c_str());
  }
  return utime + stime;
}

// Machine-wide busy and total jiffies from /proc/stat's first line.
std::pair<long long, long long> machine_ticks() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  long long v = 0, total = 0, idle = 0;
  in >> cpu;
  for (int i = 0; i < 8 && in >> v; ++i) {
    total += v;
    if (i == 3 || i == 4) idle += v;  // idle, iowait
  }
  return {total - idle, total};
}

std::int64_t now_ns(Clock::time_point origin) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - origin).count();
}

// Per chat message. Times are ns since the tool started; 0 = not yet.
struct Msg {
  std::uint32_t conn = 0;
  std::int64_t t_send = 0, t_ack = 0, t_agent = 0, t_posted = 0, t_reply = 0;
  std::int64_t conversation = 0;
  bool store_error = false;  // the hub answered an error frame for it
  bool http_failed = false;  // the reply could not be posted
  int http_attempts = 0;
};

class Load;

// One visitor socket.
struct Visitor : std::enable_shared_from_this<Visitor> {
  Visitor(net::io_context& ioc, Load& owner, std::uint32_t i) : ws(ioc), load(owner), index(i) {}
  void start(int attempt);
  void send(std::string text);
  void write_next();
  void read();

  websocket::stream<tcp::socket> ws;
  beast::flat_buffer buffer;
  std::deque<std::string> queue;
  Load& load;
  std::uint32_t index;
  bool writing = false;
  bool welcomed = false;
  bool dead = false;
};

// The agent side: one WebSocket for events, a pool of HTTP keep-alive
// connections for replies.
struct HttpConn : std::enable_shared_from_this<HttpConn> {
  HttpConn(net::io_context& ioc, Load& owner) : stream(ioc), load(owner) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  http::response<http::string_body> res;
  Load& load;
  bool connected = false;
  bool busy = false;
  std::uint32_t msg = 0;
  bool reused = false;  // the request went out on a connection that had served one before
};

class Load {
 public:
  explicit Load(Options o) : opt_(std::move(o)), rng_(12345) {
    server_ws_ = tcp::endpoint(net::ip::make_address(opt_.host), static_cast<unsigned short>(opt_.ws_port));
    server_http_ = tcp::endpoint(net::ip::make_address(opt_.host), static_cast<unsigned short>(opt_.http_port));
    Json::CharReaderBuilder b;
    b["collectComments"] = false;
    reader_.reset(b.newCharReader());
  }

  int run() {
    raise_fd_limit();
    origin_ = Clock::now();
    connect_agent();
    ioc_.run();
    return report();
  }

  // ---- visitor callbacks --------------------------------------------------
  void on_visitor_frame(Visitor& v, const std::string& text) {
    Json::Value j;
    if (!parse(text, j)) return ++bad_frames_, void();
    const std::string type = j["type"].asString();
    if (type == "welcome") {
      if (v.welcomed) return;
      v.welcomed = true;
      ++welcomed_;
      --in_flight_connects_;
      t_last_welcome_ = now_ns(origin_);
      return pump_connects();
    }
    if (type == "ack") {
      std::uint32_t idx = 0;
      if (!msg_index(j["client_msg_id"].asString(), 'm', idx)) return ++bad_frames_, void();
      Msg& m = msgs_[idx];
      if (m.t_ack) return ++dup_acks_, void();
      m.t_ack = now_ns(origin_);
      m.conversation = j["conversation"].asInt64();
      ++acked_;
      return;
    }
    if (type == "message") {
      const Json::Value& msg = j["message"];
      const std::string dir = msg["direction"].asString();
      std::string body = msg["parts"][0]["text"].asString();
      if (dir == "in") return ++echoes_, void();
      std::uint32_t idx = 0;
      if (dir != "out" || !msg_index(body, 'r', idx)) return ++other_messages_, void();
      Msg& m = msgs_[idx];
      if (m.conn != v.index) return ++misrouted_, void();
      if (m.t_reply) return ++dup_replies_, void();
      m.t_reply = now_ns(origin_);
      ++replies_;
      return;
    }
    if (type == "error") {
      ++error_frames_;
      if (error_samples_.size() < 5) error_samples_.push_back(text);
      std::uint32_t idx = 0;
      if (msg_index(j["client_msg_id"].asString(), 'm', idx)) msgs_[idx].store_error = true;
      return;
    }
    ++other_frames_;
  }

  void on_visitor_failed(Visitor& v, int attempt, const std::string& what, beast::error_code ec) {
    if (v.dead) return;
    v.dead = true;
    if (!v.welcomed) {
      if (attempt < 3 && !loading_) {
        ++connect_retries_;
        auto fresh = std::make_shared<Visitor>(ioc_, *this, v.index);
        visitors_[v.index] = fresh;
        return fresh->start(attempt + 1);
      }
      ++connect_failures_;
      --in_flight_connects_;
      if (error_samples_.size() < 5) error_samples_.push_back(what + ": " + ec.message());
      return pump_connects();
    }
    ++disconnects_;
    if (error_samples_.size() < 5) error_samples_.push_back("visitor " + std::to_string(v.index) + " " + what + ": " + ec.message());
  }

  // ---- everything a Visitor needs ----------------------------------------
  net::io_context& ioc() { return ioc_; }
  const Options& opt() const { return opt_; }
  const tcp::endpoint& server_ws() const { return server_ws_; }
  net::ip::address_v4 source_for(std::uint32_t index) const {
    return net::ip::address_v4(net::ip::address_v4(0x7f000002u).to_uint() + index % static_cast<std::uint32_t>(opt_.sources));
  }
  std::string hello(std::uint32_t index) const {
    Json::Value h(Json::objectValue);
    h["type"] = "hello";
    h["channel"] = opt_.channel;
    h["visitor"] = "load-" + opt_.run_id + "-" + std::to_string(index);
    return write(h);
  }
  void set_client_options(websocket::stream<tcp::socket>& ws) const {
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(30);
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    ws.set_option(t);
    ws.read_message_max(1 << 20);
    std::string origin = opt_.origin;
    ws.set_option(websocket::stream_base::decorator([origin](websocket::request_type& req) {
      req.set(http::field::user_agent, "og_ws_load");
      if (!origin.empty()) req.set(http::field::origin, origin);
    }));
  }

 private:
  static std::string write(const Json::Value& v) {
    Json::StreamWriterBuilder w;
    w["indentation"] = "";
    return Json::writeString(w, v);
  }
  bool parse(const std::string& text, Json::Value& out) {
    std::string errs;
    return reader_->parse(text.data(), text.data() + text.size(), &out, &errs) && out.isObject();
  }
  // "m123" / "r123" -> 123, for ids we sent in this run.
  bool msg_index(const std::string& s, char prefix, std::uint32_t& idx) const {
    if (s.size() < 2 || s[0] != prefix) return false;
    char* end = nullptr;
    unsigned long v = std::strtoul(s.c_str() + 1, &end, 10);
    if (!end || *end != '\0' || v >= msgs_.size()) return false;
    idx = static_cast<std::uint32_t>(v);
    return true;
  }

  // Soft limit up to the hard one; the hard one too if we may (root with
  // CAP_SYS_RESOURCE). Dies with advice if still too low.
  void raise_fd_limit() {
    rlim_t want = static_cast<rlim_t>(opt_.connections) + static_cast<rlim_t>(opt_.http_pool) + 32;
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want) {
      rlimit up{want, want};
      if (setrlimit(RLIMIT_NOFILE, &up) == 0) rl = up;
    }
    if (rl.rlim_cur < want) {
      rl.rlim_cur = rl.rlim_max;
      setrlimit(RLIMIT_NOFILE, &rl);
      getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < want)
      die("RLIMIT_NOFILE is " + std::to_string(rl.rlim_cur) + " (hard " + std::to_string(rl.rlim_max) + "), need " +
          std::to_string(want) + " for " + std::to_string(opt_.connections) +
          " connections: raise the hard limit (as root with CAP_SYS_RESOURCE) or use fewer connections");
  }

  // ---- agent socket ---------------------------------------------------------
  void connect_agent() {
    agent_ = std::make_unique<websocket::stream<tcp::socket>>(ioc_);
    set_client_options(*agent_);
    agent_->next_layer().async_connect(server_ws_, [this](beast::error_code ec) {
      if (ec) die("agent socket: connect: " + ec.message());
      std::string target = "/v1/ws/agent?token=" + opt_.token;
      agent_->async_handshake(opt_.host + ":" + std::to_string(opt_.ws_port), target, [this](beast::error_code ec2) {
        if (ec2) die("agent socket: handshake: " + ec2.message() + " (is the token valid?)");
        agent_read();
        begin_connects();
      });
    });
  }

  void agent_read() {
    agent_->async_read(agent_buffer_, [this](beast::error_code ec, size_t) {
      if (ec) {
        if (!finished_) {
          agent_lost_ = true;
          std::cerr << "og_ws_load: agent socket closed: " << ec.message() << "\n";
        }
        return;
      }
      std::string text = beast::buffers_to_string(agent_buffer_.data());
      agent_buffer_.consume(agent_buffer_.size());
      on_agent_frame(text);
      agent_read();
    });
  }

  void on_agent_frame(const std::string& text) {
    Json::Value j;
    if (!parse(text, j)) return ++bad_frames_, void();
    if (j["type"].asString() != "message.created") return;
    const Json::Value& msg = j["message"];
    std::string dir = msg["direction"].asString();
    std::string body = msg["parts"][0]["text"].asString();
    std::uint32_t idx = 0;
    if (dir == "out") {
      if (msg_index(body, 'r', idx)) ++agent_saw_replies_;
      return;
    }
    if (dir != "in" || !msg_index(body, 'm', idx)) return ++agent_other_, void();
    Msg& m = msgs_[idx];
    if (m.t_agent) return ++agent_dups_, void();
    m.t_agent = now_ns(origin_);
    if (!m.conversation) m.conversation = j["conversation"].asInt64();
    ++agent_seen_;
    reply_queue_.push_back(idx);
    pump_http();
  }

  // ---- HTTP reply pool ----------------------------------------------------------
  void pump_http() {
    if (http_.empty())
      for (int i = 0; i < opt_.http_pool; ++i) http_.push_back(std::make_shared<HttpConn>(ioc_, *this));
    for (auto& c : http_) {
      if (reply_queue_.empty()) return;
      if (c->busy) continue;
      c->busy = true;
      c->msg = reply_queue_.front();
      reply_queue_.pop_front();
      http_start(c);
    }
  }

  void http_start(const std::shared_ptr<HttpConn>& c) {
    Msg& m = msgs_[c->msg];
    ++m.http_attempts;
    c->req = {};
    c->req.method(http::verb::post);
    c->req.target("/v1/conversations/" + std::to_string(m.conversation) + "/messages");
    c->req.version(11);
    c->req.set(http::field::host, opt_.host + ":" + std::to_string(opt_.http_port));
    c->req.set(http::field::authorization, "Bearer " + opt_.token);
    c->req.set(http::field::content_type, "application/json");
    c->req.keep_alive(true);
    // client_msg_id makes a retried POST (after a keep-alive connection
    // closed under us) store one reply, not two.
    std::string id = "r" + std::to_string(c->msg);
    c->req.body() = "{\"text\":\"" + id + "\",\"client_msg_id\":\"" + id + "\"}";
    c->req.prepare_payload();
    c->stream.expires_after(std::chrono::seconds(15));
    if (c->connected) {
      c->reused = true;
      return http_write(c);
    }
    c->reused = false;
    c->stream.async_connect(server_http_, [this, c](beast::error_code ec) {
      if (ec) return http_error(c, "connect", ec);
      c->connected = true;
      http_write(c);
    });
  }

  void http_write(const std::shared_ptr<HttpConn>& c) {
    http::async_write(c->stream, c->req, [this, c](beast::error_code ec, size_t) {
      if (ec) return http_error(c, "write", ec);
      c->res = {};
      http::async_read(c->stream, c->buffer, c->res, [this, c](beast::error_code ec2, size_t) {
        if (ec2) return http_error(c, "read", ec2);
        Msg& m = msgs_[c->msg];
        unsigned status = c->res.result_int();
        if (status == 201 || status == 200) {
          if (!m.t_posted) {
            m.t_posted = now_ns(origin_);
            ++posted_;
          }
          if (status == 200) ++http_duplicates_;
        } else {
          ++http_bad_status_;
          if (error_samples_.size() < 5) error_samples_.push_back("reply POST " + std::to_string(status) + ": " + c->res.body());
          if (status >= 500 && m.http_attempts < 5) {
            reply_queue_.push_front(c->msg);
          } else {
            m.http_failed = true;
          }
        }
        if (!c->res.keep_alive()) close_http(c);
        c->busy = false;
        pump_http();
      });
    });
  }

  void http_error(const std::shared_ptr<HttpConn>& c, const char* what, beast::error_code ec) {
    // A keep-alive connection the server closed while idle: reconnect and
    // send again (the client_msg_id keeps it idempotent). Anything else
    // counts as an error too, but still retries a few times.
    bool stale = c->reused && (ec == http::error::end_of_stream || ec == net::error::connection_reset ||
                               ec == net::error::broken_pipe || ec == net::error::eof);
    if (!stale) {
      ++http_errors_;
      if (error_samples_.size() < 5) error_samples_.push_back(std::string("reply POST ") + what + ": " + ec.message());
    }
    close_http(c);
    Msg& m = msgs_[c->msg];
    if (m.http_attempts < 5) reply_queue_.push_front(c->msg);
    else m.http_failed = true;
    c->busy = false;
    pump_http();
  }

  void close_http(const std::shared_ptr<HttpConn>& c) {
    beast::error_code ignored;
    c->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    c->stream.close();
    c->buffer.consume(c->buffer.size());
    c->connected = false;
  }

  // ---- phase 1: idle connections ---------------------------------------------
  void begin_connects() {
    if (opt_.gateway_pid > 0) {
      rss_before_ = vm_rss_kib(opt_.gateway_pid);
      if (rss_before_ < 0) die("cannot read /proc/" + std::to_string(opt_.gateway_pid) + "/status");
    }
    visitors_.resize(static_cast<size_t>(opt_.connections));
    t_connect_start_ = now_ns(origin_);
    std::cerr << "==> opening " << opt_.connections << " visitor connections from " << opt_.sources
              << " source addresses (127.0.0.2..127.0.0." << 1 + opt_.sources << ")\n";
    progress_timer_.expires_after(std::chrono::seconds(1));
    progress_timer_.async_wait([this](beast::error_code ec) { on_connect_progress(ec); });
    pump_connects();
  }

  void pump_connects() {
    while (in_flight_connects_ < opt_.connect_window && next_connect_ < opt_.connections) {
      auto index = static_cast<std::uint32_t>(next_connect_++);
      ++in_flight_connects_;
      visitors_[index] = std::make_shared<Visitor>(ioc_, *this, index);
      visitors_[index]->start(1);
    }
    if (!connect_done_ && next_connect_ == opt_.connections && in_flight_connects_ == 0) {
      connect_done_ = true;
      t_connect_end_ = t_last_welcome_;
      progress_timer_.cancel();
      std::cerr << "==> " << welcomed_ << " connected (" << connect_failures_ << " failed) in "
                << (t_connect_end_ - t_connect_start_) / 1e9 << " s; settling " << opt_.settle << " s\n";
      settle_timer_.expires_after(std::chrono::milliseconds(static_cast<long>(opt_.settle * 1000)));
      settle_timer_.async_wait([this](beast::error_code) { after_settle(); });
    }
  }

  void on_connect_progress(beast::error_code ec) {
    if (ec || connect_done_) return;
    std::cerr << "    " << welcomed_ << "/" << opt_.connections << " connected\n";
    progress_timer_.expires_after(std::chrono::seconds(1));
    progress_timer_.async_wait([this](beast::error_code e) { on_connect_progress(e); });
  }

  void after_settle() {
    if (opt_.gateway_pid > 0) {
      rss_after_ = vm_rss_kib(opt_.gateway_pid);
      gateway_fds_ = open_fds(opt_.gateway_pid);
    }
    tool_rss_ = vm_rss_kib(static_cast<int>(getpid()));
    if (opt_.rate <= 0 || opt_.duration <= 0) return finish();
    start_load();
  }

  // ---- phase 2: chat load ---------------------------------------------------------
  void start_load() {
    loading_ = true;
    size_t total = static_cast<size_t>(std::ceil(opt_.rate * opt_.duration));
    msgs_.reserve(total + 16);
    for (std::uint32_t i = 0; i < visitors_.size(); ++i)
      if (visitors_[i] && visitors_[i]->welcomed && !visitors_[i]->dead) live_.push_back(i);
    if (live_.empty()) return finish();
    std::cerr << "==> chat load: " << opt_.rate << " msg/s for " << opt_.duration << " s across " << live_.size()
              << " connections\n";
    load_start_ = Clock::now();
    if (opt_.gateway_pid > 0) gw_cpu_start_ = cpu_ticks(opt_.gateway_pid);
    tool_cpu_start_ = cpu_ticks(static_cast<int>(getpid()));
    machine_start_ = machine_ticks();
    tick_timer_.expires_at(load_start_);
    tick_timer_.async_wait([this](beast::error_code ec) { on_tick(ec); });
  }

  void on_tick(beast::error_code ec) {
    if (ec) return;
    auto now = Clock::now();
    double elapsed = std::chrono::duration<double>(now - load_start_).count();
    double until = std::min(elapsed, opt_.duration);
    auto due = static_cast<size_t>(std::floor(until * opt_.rate));
    std::uniform_int_distribution<size_t> pick(0, live_.size() - 1);
    while (msgs_.size() < due) {
      auto idx = static_cast<std::uint32_t>(msgs_.size());
      std::uint32_t conn = live_[pick(rng_)];
      Msg m;
      m.conn = conn;
      m.t_send = now_ns(origin_);
      msgs_.push_back(m);
      std::string id = "m" + std::to_string(idx);
      visitors_[conn]->send("{\"type\":\"send\",\"client_msg_id\":\"" + id + "\",\"text\":\"" + id + "\"}");
    }
    if (elapsed >= opt_.duration) {
      load_end_ = Clock::now();
      if (opt_.gateway_pid > 0) gw_cpu_end_ = cpu_ticks(opt_.gateway_pid);
      tool_cpu_end_ = cpu_ticks(static_cast<int>(getpid()));
      machine_end_ = machine_ticks();
      std::cerr << "==> sent " << msgs_.size() << "; draining (up to " << opt_.drain << " s)\n";
      drain_deadline_ = Clock::now() + std::chrono::milliseconds(static_cast<long>(opt_.drain * 1000));
      tick_timer_.expires_after(std::chrono::milliseconds(50));
      tick_timer_.async_wait([this](beast::error_code e) { on_drain(e); });
      return;
    }
    tick_timer_.expires_at(tick_timer_.expiry() + std::chrono::milliseconds(1));
    if (tick_timer_.expiry() < now - std::chrono::milliseconds(50)) tick_timer_.expires_at(now);  // fell behind
    tick_timer_.async_wait([this](beast::error_code e) { on_tick(e); });
  }

  bool all_settled() const {
    for (const Msg& m : msgs_) {
      if (m.store_error) continue;
      if (!m.t_ack || !m.t_agent) return false;
      if (m.http_failed) continue;
      if (!m.t_posted || !m.t_reply) return false;
    }
    return true;
  }

  void on_drain(beast::error_code ec) {
    if (ec) return;
    if (all_settled() || Clock::now() >= drain_deadline_ || agent_lost_) return finish();
    tick_timer_.expires_after(std::chrono::milliseconds(50));
    tick_timer_.async_wait([this](beast::error_code e) { on_drain(e); });
  }

  void finish() {
    finished_ = true;
    if (opt_.gateway_pid > 0) rss_end_ = vm_rss_kib(opt_.gateway_pid);
    ioc_.stop();
  }

  // ---- the report ------------------------------------------------------------------
  static double pct(const std::vector<double>& v, double p) { return omnigate::bench::percentile(v, p); }

  int report() {
    std::vector<double> rtt, one_way, ack, post, back;
    size_t sent = msgs_.size(), unacked = 0, lost_to_agent = 0, reply_failed = 0, lost_replies = 0, store_errors = 0;
    for (const Msg& m : msgs_) {
      if (m.store_error) ++store_errors;
      if (m.t_ack) ack.push_back(static_cast<double>(m.t_ack - m.t_send) / 1e6);
      else if (!m.store_error) ++unacked;
      if (m.t_agent) one_way.push_back(static_cast<double>(m.t_agent - m.t_send) / 1e6);
      else if (m.t_ack) ++lost_to_agent;
      if (m.t_agent && !m.t_posted) ++reply_failed;
      if (m.t_posted && !m.t_reply) ++lost_replies;
      if (m.t_reply) rtt.push_back(static_cast<double>(m.t_reply - m.t_send) / 1e6);
      if (m.t_posted) post.push_back(static_cast<double>(m.t_posted - m.t_agent) / 1e6);
      if (m.t_reply && m.t_agent) back.push_back(static_cast<double>(m.t_reply - m.t_agent) / 1e6);
    }
    std::sort(rtt.begin(), rtt.end());
    std::sort(one_way.begin(), one_way.end());
    std::sort(ack.begin(), ack.end());
    std::sort(post.begin(), post.end());
    std::sort(back.begin(), back.end());
    double load_s = loading_ ? std::chrono::duration<double>(load_end_ - load_start_).count() : 0;
    double connect_s = static_cast<double>(t_connect_end_ - t_connect_start_) / 1e9;
    double per_conn = (rss_before_ >= 0 && rss_after_ >= 0 && welcomed_ > 0)
                          ? static_cast<double>(rss_after_ - rss_before_) / static_cast<double>(welcomed_)
                          : NAN;

    std::vector<std::string> failures;
    if (welcomed_ != static_cast<size_t>(opt_.connections))
      failures.push_back(std::to_string(opt_.connections - static_cast<int>(welcomed_)) + " visitor connections never got a welcome");
    if (disconnects_) failures.push_back(std::to_string(disconnects_) + " visitor connections dropped after the welcome");
    if (agent_lost_) failures.push_back("the agent socket was closed during the run");
    if (store_errors) failures.push_back(std::to_string(store_errors) + " sends answered with an error frame");
    if (unacked) failures.push_back(std::to_string(unacked) + " sends never acknowledged");
    if (lost_to_agent) failures.push_back(std::to_string(lost_to_agent) + " acknowledged messages never reached the agent socket");
    if (reply_failed) failures.push_back(std::to_string(reply_failed) + " agent replies could not be stored over HTTP");
    if (lost_replies) failures.push_back(std::to_string(lost_replies) + " stored replies never reached their visitor");
    if (misrouted_) failures.push_back(std::to_string(misrouted_) + " replies reached the wrong visitor");
    if (dup_replies_) failures.push_back(std::to_string(dup_replies_) + " replies delivered twice to a visitor");

    auto fmt = [](double v, int prec = 2) { return omnigate::bench::fixed(v, prec); };
    std::ostringstream t;
    std::string conns = std::to_string(opt_.connections);
    t << "\n| scenario | figure | unit |\n| --- | ---: | --- |\n";
    t << "| idle visitor connections (hello + welcome) | " << welcomed_ << " of " << conns << " | connections |\n";
    t << "| time to connect all | " << fmt(connect_s) << " | s (" << fmt(welcomed_ / std::max(connect_s, 1e-9), 0)
      << " conn/s, window " << opt_.connect_window << ", " << opt_.sources << " source addresses) |\n";
    if (opt_.gateway_pid > 0) {
      t << "| gateway VmRSS before / after connecting | " << rss_before_ / 1024 << " / " << rss_after_ / 1024 << " | MiB |\n";
      t << "| **gateway RSS per idle connection** | **" << fmt(per_conn) << "** | KiB (goal < 16) |\n";
      t << "| gateway open fds after connecting | " << gateway_fds_ << " | fds |\n";
    }
    if (loading_) {
      t << "| chat load | " << fmt(static_cast<double>(sent) / std::max(load_s, 1e-9), 0) << " | msg/s offered (target "
        << fmt(opt_.rate, 0) << ", " << fmt(load_s, 1) << " s) |\n";
      t << "| sent / acked / at agent / replies stored / replies at visitor | " << sent << " / " << ack.size() << " / "
        << one_way.size() << " / " << posted_ << " / " << rtt.size() << " | messages |\n";
      t << "| lost (unacked + acked-not-at-agent + reply-not-stored + reply-not-at-visitor) | "
        << unacked + lost_to_agent + reply_failed + lost_replies << " | messages |\n";
      t << "| round trip visitor -> agent -> visitor p50 | " << fmt(pct(rtt, 50)) << " | ms |\n";
      t << "| **round trip p99** | **" << fmt(pct(rtt, 99)) << "** | ms (goal < 10) |\n";
      t << "| round trip p99.9 / max | " << fmt(pct(rtt, 99.9)) << " / " << fmt(rtt.empty() ? NAN : rtt.back()) << " | ms |\n";
      t << "| visitor -> agent one way p50 / p99 | " << fmt(pct(one_way, 50)) << " / " << fmt(pct(one_way, 99)) << " | ms |\n";
      t << "| visitor send -> ack p50 / p99 | " << fmt(pct(ack, 50)) << " / " << fmt(pct(ack, 99)) << " | ms |\n";
      t << "| agent sees message -> reply POST answered p50 / p99 | " << fmt(pct(post, 50)) << " / " << fmt(pct(post, 99))
        << " | ms (" << opt_.http_pool << " keep-alive connections) |\n";
      t << "| agent sees message -> reply at visitor p50 / p99 | " << fmt(pct(back, 50)) << " / " << fmt(pct(back, 99))
        << " | ms |\n";
      if (opt_.gateway_pid > 0) t << "| gateway VmRSS after the chat load | " << rss_end_ / 1024 << " | MiB |\n";
      double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
      double ncpu = static_cast<double>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
      auto share = [&](long long a, long long b) { return a < 0 || b < 0 ? NAN : 100.0 * static_cast<double>(b - a) / hz / load_s; };
      double busy = machine_end_.second > machine_start_.second
                        ? 100.0 * static_cast<double>(machine_end_.first - machine_start_.first) /
                              static_cast<double>(machine_end_.second - machine_start_.second)
                        : NAN;
      t << "| CPU during the load: gateway process / load tool / whole machine busy | "
        << fmt(share(gw_cpu_start_, gw_cpu_end_), 0) << "% / " << fmt(share(tool_cpu_start_, tool_cpu_end_), 0) << "% / "
        << fmt(busy, 0) << "% | of one core, of one core, of all " << fmt(ncpu, 0) << " cores (PostgreSQL not in the first) |\n";
    }
    t << "| load tool VmRSS with all connections | " << tool_rss_ / 1024 << " | MiB |\n";
    std::cout << t.str() << "\n";
    std::cout << "details: connect retries " << connect_retries_ << ", error frames " << error_frames_ << ", echoes "
              << echoes_ << ", duplicate acks " << dup_acks_ << ", agent duplicates " << agent_dups_
              << ", agent saw replies " << agent_saw_replies_ << ", reply POSTs answered duplicate " << http_duplicates_
              << ", HTTP errors " << http_errors_ << ", HTTP non-2xx " << http_bad_status_ << ", unparsable frames "
              << bad_frames_ << ", other frames " << other_frames_ + other_messages_ + agent_other_ << "\n";
    for (const auto& s : error_samples_) std::cout << "  sample error: " << s << "\n";

    omnigate::bench::ResultFile r;
    r.add("connections", welcomed_);
    r.add("connect_s", connect_s);
    r.add("rss_before_kib", static_cast<long long>(rss_before_));
    r.add("rss_after_kib", static_cast<long long>(rss_after_));
    r.add("rss_per_conn_kib", per_conn, 2);
    r.add("sent", static_cast<size_t>(sent));
    r.add("acked", ack.size());
    r.add("at_agent", one_way.size());
    r.add("replies", rtt.size());
    r.add("rtt_p50_ms", pct(rtt, 50));
    r.add("rtt_p90_ms", pct(rtt, 90));
    r.add("rtt_p99_ms", pct(rtt, 99));
    r.add("rtt_p999_ms", pct(rtt, 99.9));
    r.add("oneway_p50_ms", pct(one_way, 50));
    r.add("oneway_p99_ms", pct(one_way, 99));
    r.add("failures", failures.size());
    r.write(kTool, opt_.result_file);
    if (!failures.empty()) {
      for (const auto& f : failures) std::cerr << "CHECK FAILED: " << f << "\n";
      return 1;
    }
    std::cout << "check passed: every connection welcomed, every send acknowledged, every acknowledged message at the "
                 "agent, every reply at its visitor\n";
    return 0;
  }

  Options opt_;
  net::io_context ioc_{1};
  tcp::endpoint server_ws_, server_http_;
  std::unique_ptr<Json::CharReader> reader_;
  std::mt19937_64 rng_;
  Clock::time_point origin_;

  std::unique_ptr<websocket::stream<tcp::socket>> agent_;
  beast::flat_buffer agent_buffer_;
  bool agent_lost_ = false;
  std::vector<std::shared_ptr<HttpConn>> http_;
  std::deque<std::uint32_t> reply_queue_;

  std::vector<std::shared_ptr<Visitor>> visitors_;
  std::vector<std::uint32_t> live_;
  int next_connect_ = 0;
  int in_flight_connects_ = 0;
  bool connect_done_ = false;
  bool loading_ = false;
  bool finished_ = false;
  std::int64_t t_connect_start_ = 0, t_connect_end_ = 0, t_last_welcome_ = 0;
  net::steady_timer progress_timer_{ioc_}, settle_timer_{ioc_}, tick_timer_{ioc_};
  Clock::time_point load_start_, load_end_, drain_deadline_;

  std::vector<Msg> msgs_;
  long long gw_cpu_start_ = -1, gw_cpu_end_ = -1, tool_cpu_start_ = -1, tool_cpu_end_ = -1;
  std::pair<long long, long long> machine_start_{0, 0}, machine_end_{0, 0};
  long rss_before_ = -1, rss_after_ = -1, rss_end_ = -1, tool_rss_ = -1;
  int gateway_fds_ = -1;
  size_t welcomed_ = 0, connect_failures_ = 0, connect_retries_ = 0, disconnects_ = 0;
  size_t acked_ = 0, replies_ = 0, agent_seen_ = 0, posted_ = 0;
  size_t echoes_ = 0, dup_acks_ = 0, dup_replies_ = 0, misrouted_ = 0, error_frames_ = 0, bad_frames_ = 0;
  size_t other_frames_ = 0, other_messages_ = 0, agent_other_ = 0, agent_dups_ = 0, agent_saw_replies_ = 0;
  size_t http_errors_ = 0, http_bad_status_ = 0, http_duplicates_ = 0;
  std::vector<std::string> error_samples_;
};

void Visitor::start(int attempt) {
  load.set_client_options(ws);
  tcp::socket& s = ws.next_layer();
  beast::error_code ec;
  // Synchronous failures (EMFILE, EADDRINUSE) are reported from the loop,
  // not from inside pump_connects, so they never recurse.
  auto fail_later = [this](const char* what, beast::error_code e) {
    net::post(load.ioc(), [self = shared_from_this(), what, e] { self->load.on_visitor_failed(*self, 99, what, e); });
  };
  s.open(tcp::v4(), ec);
  if (ec) return fail_later("socket", ec);
  int one = 1;
  // Let the kernel choose the port at connect time from the full 4-tuple, so
  // the per-source-address port range is shared across destinations.
  ::setsockopt(s.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  s.bind(tcp::endpoint(load.source_for(index), 0), ec);
  if (ec) return fail_later("bind", ec);
  s.async_connect(load.server_ws(), [self = shared_from_this(), attempt](beast::error_code e) {
    if (e) return self->load.on_visitor_failed(*self, attempt, "connect", e);
    const Options& o = self->load.opt();
    self->ws.async_handshake(o.host + ":" + std::to_string(o.ws_port), "/v1/ws/visitor",
                             [self, attempt](beast::error_code e2) {
                               if (e2) return self->load.on_visitor_failed(*self, attempt, "handshake", e2);
                               self->send(self->load.hello(self->index));
                               self->read();
                             });
  });
}

void Visitor::send(std::string text) {
  if (dead) return;
  queue.push_back(std::move(text));
  if (!writing) write_next();
}

void Visitor::write_next() {
  if (queue.empty() || dead) {
    writing = false;
    return;
  }
  writing = true;
  ws.text(true);
  ws.async_write(net::buffer(queue.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) {
      self->writing = false;
      return self->load.on_visitor_failed(*self, 99, "write", ec);
    }
    self->queue.pop_front();
    self->write_next();
  });
}

void Visitor::read() {
  ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) return self->load.on_visitor_failed(*self, 99, "read", ec);
    std::string text = beast::buffers_to_string(self->buffer.data());
    self->buffer.consume(self->buffer.size());
    self->load.on_visitor_frame(*self, text);
    self->read();
  });
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  try {
    Load load(std::move(o));
    return load.run();
  } catch (const std::exception& e) {
    std::cerr << "og_ws_load: " << e.what() << "\n";
    return 2;
  }
}
