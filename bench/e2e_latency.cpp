// og_e2e_latency: end-to-end latency of the inbound path, from a WeChat
// webhook request to the agent socket's message.created push.
//
//   og_e2e_latency --http-port P --ws-port R --token BEARER --hook-path /v1/hooks/TOKEN
//                  --wx-token WXTOKEN [--host 127.0.0.1] [--rate 2000] [--duration 10]
//                  [--warmup 1] [--users 1000] [--http-pool 64] [--drain 10]
//                  [--run-id ID] [--result-file PATH] [--acked-file PATH]
//
// One thread, one io_context, everything asynchronous:
//   1. connects the agent socket (/v1/ws/agent?token=BEARER); the gateway
//      pushes message.created for every stored message to agent sockets;
//   2. sends plain-mode WeChat text messages (valid signature, unique MsgId,
//      FromUserName among --users OpenIDs) at --rate per second for
//      --duration seconds, open loop: each message has a scheduled time from
//      the clock, and latency is measured from that time, so a stalled
//      gateway (or a full client pool) shows up in the figures instead of
//      slowing the sender down (no coordinated omission). Requests go over
//      --http-pool keep-alive connections;
//   3. waits up to --drain seconds for every acknowledged message's push;
//   4. reports, for messages scheduled after --warmup seconds, percentiles of
//      scheduled send -> push at the agent (the end-to-end figure),
//      scheduled send -> "success" answer, and answer -> push;
//   5. checks that every message answered "success" reached the agent socket
//      exactly once (pushes are matched by the message text); exit 1 if not.
// --acked-file gets the MsgId of every message answered "success", one a
// line, for the caller's database check.
//
// Only loopback (127.0.0.0/8) targets are accepted.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <json/json.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/tool_common.h"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using omnigate::bench::fixed;
using omnigate::bench::percentile;

constexpr const char* kTool = "og_e2e_latency";
[[noreturn]] void die(const std::string& message) { omnigate::bench::die(kTool, message); }

struct Options {
  std::string host = "127.0.0.1";
  int http_port = 0;
  int ws_port = 0;
  std::string token;
  std::string hook_path;
  std::string wx_token;
  double rate = 2000;
  double duration = 10;
  double warmup = 1;
  int users = 1000;
  int http_pool = 64;
  double drain = 10;
  std::string run_id;
  std::string result_file;
  std::string acked_file;
};

Options parse_args(int argc, char** argv) {
  Options o;
  auto need = [&](int& i) -> std::string {
    if (i + 1 >= argc) die(std::string("missing value for ") + argv[i]);
    return argv[++i];
  };
  auto num = [&](const std::string& flag, int& i) { return omnigate::bench::number_arg(kTool, flag, need(i)); };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--host") o.host = need(i);
    else if (a == "--http-port") o.http_port = static_cast<int>(num(a, i));
    else if (a == "--ws-port") o.ws_port = static_cast<int>(num(a, i));
    else if (a == "--token") o.token = need(i);
    else if (a == "--hook-path") o.hook_path = need(i);
    else if (a == "--wx-token") o.wx_token = need(i);
    else if (a == "--rate") o.rate = num(a, i);
    else if (a == "--duration") o.duration = num(a, i);
    else if (a == "--warmup") o.warmup = num(a, i);
    else if (a == "--users") o.users = static_cast<int>(num(a, i));
    else if (a == "--http-pool") o.http_pool = static_cast<int>(num(a, i));
    else if (a == "--drain") o.drain = num(a, i);
    else if (a == "--run-id") o.run_id = need(i);
    else if (a == "--result-file") o.result_file = need(i);
    else if (a == "--acked-file") o.acked_file = need(i);
    else if (a == "-h" || a == "--help") {
      std::cout << "usage: og_e2e_latency --http-port P --ws-port R --token BEARER --hook-path PATH --wx-token T "
                   "[options]\nsee the comment at the top of bench/e2e_latency.cpp\n";
      std::exit(0);
    } else {
      die("unknown argument: " + a);
    }
  }
  if (o.http_port <= 0 || o.ws_port <= 0) die("--http-port and --ws-port are required");
  if (o.token.empty() || o.wx_token.empty()) die("--token and --wx-token are required");
  if (o.hook_path.rfind("/v1/hooks/", 0) != 0) die("--hook-path must look like /v1/hooks/TOKEN");
  if (!(o.rate > 0) || !(o.duration > 0)) die("--rate and --duration must be positive");
  if (o.warmup >= o.duration) die("--warmup must be shorter than --duration");
  if (o.users < 1 || o.http_pool < 1) die("--users and --http-pool must be >= 1");
  if (!omnigate::bench::is_loopback_v4(o.host)) die("--host must be an IPv4 loopback address (127.0.0.0/8)");
  if (o.run_id.empty()) o.run_id = std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000);
  if (o.run_id.size() > 6 || o.run_id.find_first_not_of("0123456789") != std::string::npos)
    die("--run-id: at most 6 digits");
  return o;
}

// WeChat's URL signature: SHA1 over the byte-wise sorted token, timestamp and
// nonce, concatenated, in lower-case hex.
std::string wx_signature(std::string a, std::string b, std::string c) {
  std::array<std::string, 3> parts{std::move(a), std::move(b), std::move(c)};
  std::sort(parts.begin(), parts.end());
  std::string joined = parts[0] + parts[1] + parts[2];
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(joined.data(), joined.size(), md, &len, EVP_sha1(), nullptr) != 1) die("EVP_Digest(SHA1) failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

// Per message; times in ns since the tool started, 0 = not yet.
struct Msg {
  std::int64_t t_sched = 0, t_ack = 0, t_push = 0;
  int status = 0;  // the HTTP answer's status (0: none yet / transport error)
  int attempts = 0;
  bool acked = false;  // 200 "success"
  bool failed = false;  // gave up: no answer we can count
};

struct HttpConn {
  explicit HttpConn(net::io_context& ioc) : stream(ioc) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  http::response<http::string_body> res;
  bool connected = false;
  bool busy = false;
  bool reused = false;  // the request went out on a connection that had served one before
  std::uint32_t msg = 0;
};

class Run {
 public:
  explicit Run(Options o) : opt_(std::move(o)), rng_(std::random_device{}()) {
    endpoint_http_ = tcp::endpoint(net::ip::make_address(opt_.host), static_cast<unsigned short>(opt_.http_port));
    endpoint_ws_ = tcp::endpoint(net::ip::make_address(opt_.host), static_cast<unsigned short>(opt_.ws_port));
    Json::CharReaderBuilder b;
    b["collectComments"] = false;
    reader_.reset(b.newCharReader());
    msgs_.reserve(static_cast<size_t>(std::ceil(opt_.rate * opt_.duration)) + 16);
    for (int i = 0; i < opt_.http_pool; ++i) pool_.push_back(std::make_shared<HttpConn>(ioc_));
  }

  int run() {
    origin_ = Clock::now();
    connect_agent();
    ioc_.run();
    return report();
  }

 private:
  std::int64_t now_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - origin_).count();
  }
  std::string msg_id(std::uint32_t idx) const {
    // "3" | run id (6 digits) | index (10 digits): 17 digits, unique per run
    char buf[32];
    std::snprintf(buf, sizeof buf, "3%06lu%010u", std::strtoul(opt_.run_id.c_str(), nullptr, 10), idx);
    return buf;
  }

  // ---- the agent socket ----------------------------------------------------
  void connect_agent() {
    agent_ = std::make_unique<websocket::stream<tcp::socket>>(ioc_);
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::seconds(30);
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    agent_->set_option(t);
    agent_->read_message_max(1 << 20);
    agent_->next_layer().async_connect(endpoint_ws_, [this](beast::error_code ec) {
      if (ec) die("agent socket: connect: " + ec.message());
      agent_->async_handshake(opt_.host + ":" + std::to_string(opt_.ws_port), "/v1/ws/agent?token=" + opt_.token,
                              [this](beast::error_code ec2) {
                                if (ec2) die("agent socket: handshake: " + ec2.message() + " (is the token valid?)");
                                agent_read();
                                start_load();
                              });
    });
  }

  void agent_read() {
    agent_->async_read(agent_buffer_, [this](beast::error_code ec, size_t) {
      if (ec) {
        if (!finished_) {
          agent_lost_ = true;
          std::cerr << kTool << ": agent socket closed: " << ec.message() << "\n";
          finish();
        }
        return;
      }
      std::int64_t at = now_ns();
      std::string text = beast::buffers_to_string(agent_buffer_.data());
      agent_buffer_.consume(agent_buffer_.size());
      on_agent_frame(text, at);
      agent_read();
    });
  }

  void on_agent_frame(const std::string& text, std::int64_t at) {
    Json::Value j;
    std::string errs;
    if (!reader_->parse(text.data(), text.data() + text.size(), &j, &errs) || !j.isObject()) return ++bad_frames_, void();
    if (j["type"].asString() != "message.created") return ++other_frames_, void();
    const Json::Value& m = j["message"];
    std::string body = m["parts"][0]["text"].asString();
    std::uint32_t idx = 0;
    if (m["direction"].asString() != "in" || !parse_index(body, idx)) return ++other_frames_, void();
    Msg& msg = msgs_[idx];
    if (msg.t_push) return ++dup_pushes_, void();
    msg.t_push = at;
    ++pushed_;
  }

  // "e2e 123" -> 123, for a message of this run
  bool parse_index(const std::string& text, std::uint32_t& idx) const {
    if (text.rfind("e2e ", 0) != 0) return false;
    char* end = nullptr;
    unsigned long v = std::strtoul(text.c_str() + 4, &end, 10);
    if (!end || *end != '\0' || v >= msgs_.size()) return false;
    idx = static_cast<std::uint32_t>(v);
    return true;
  }

  // ---- the sender: open loop, paced by the clock ---------------------------------
  void start_load() {
    std::cerr << "==> " << opt_.rate << " msg/s for " << opt_.duration << " s over " << opt_.http_pool
              << " keep-alive connections (first " << opt_.warmup << " s not counted)\n";
    load_start_ = Clock::now();
    load_start_ns_ = now_ns();
    tick_.expires_at(load_start_);
    tick_.async_wait([this](beast::error_code ec) { on_tick(ec); });
  }

  void on_tick(beast::error_code ec) {
    if (ec) return;
    auto now = Clock::now();
    double elapsed = std::chrono::duration<double>(now - load_start_).count();
    double until = std::min(elapsed, opt_.duration);
    auto due = static_cast<size_t>(std::floor(until * opt_.rate));
    while (msgs_.size() < due) {
      Msg m;
      // the time this message was due, not when the timer fired
      m.t_sched = load_start_ns_ + static_cast<std::int64_t>(static_cast<double>(msgs_.size()) / opt_.rate * 1e9);
      queue_.push_back(static_cast<std::uint32_t>(msgs_.size()));
      msgs_.push_back(m);
    }
    pump();
    if (elapsed >= opt_.duration) {
      std::cerr << "==> sent " << msgs_.size() << "; draining (up to " << opt_.drain << " s)\n";
      drain_deadline_ = Clock::now() + std::chrono::milliseconds(static_cast<long>(opt_.drain * 1000));
      tick_.expires_after(std::chrono::milliseconds(20));
      tick_.async_wait([this](beast::error_code e) { on_drain(e); });
      return;
    }
    tick_.expires_at(tick_.expiry() + std::chrono::microseconds(500));
    if (tick_.expiry() < now - std::chrono::milliseconds(20)) tick_.expires_at(now);  // fell behind
    tick_.async_wait([this](beast::error_code e) { on_tick(e); });
  }

  void pump() {
    for (auto& c : pool_) {
      if (queue_.empty()) return;
      if (c->busy) continue;
      c->busy = true;
      c->msg = queue_.front();
      queue_.pop_front();
      start_request(c);
    }
  }

  void build_request(HttpConn& c) {
    Msg& m = msgs_[c.msg];
    ++m.attempts;
    std::string id = msg_id(c.msg);
    std::string ts = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    std::string nonce = std::to_string(c.msg) + "n" + std::to_string(m.attempts);
    char openid[40];
    std::snprintf(openid, sizeof openid, "oE2e%024d", static_cast<int>(rng_() % static_cast<unsigned>(opt_.users)));
    c.req = {};
    c.req.method(http::verb::post);
    c.req.target(opt_.hook_path + "?signature=" + wx_signature(opt_.wx_token, ts, nonce) + "&timestamp=" + ts +
                 "&nonce=" + nonce + "&openid=" + openid);
    c.req.version(11);
    c.req.set(http::field::host, opt_.host + ":" + std::to_string(opt_.http_port));
    c.req.set(http::field::content_type, "text/xml");
    c.req.keep_alive(true);
    c.req.body() = "<xml><ToUserName><![CDATA[gh_e2e0bench01]]></ToUserName><FromUserName><![CDATA[" +
                   std::string(openid) + "]]></FromUserName><CreateTime>" + ts +
                   "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[e2e " +
                   std::to_string(c.msg) + "]]></Content><MsgId>" + id + "</MsgId></xml>";
    c.req.prepare_payload();
  }

  void start_request(const std::shared_ptr<HttpConn>& c) {
    build_request(*c);
    c->stream.expires_after(std::chrono::seconds(15));
    if (c->connected) {
      c->reused = true;
      return write_request(c);
    }
    c->reused = false;
    c->stream.async_connect(endpoint_http_, [this, c](beast::error_code ec) {
      if (ec) return on_http_error(c, "connect", ec);
      c->connected = true;
      write_request(c);
    });
  }

  void write_request(const std::shared_ptr<HttpConn>& c) {
    http::async_write(c->stream, c->req, [this, c](beast::error_code ec, size_t) {
      if (ec) return on_http_error(c, "write", ec);
      c->res = {};
      http::async_read(c->stream, c->buffer, c->res, [this, c](beast::error_code ec2, size_t) {
        if (ec2) return on_http_error(c, "read", ec2);
        Msg& m = msgs_[c->msg];
        m.status = static_cast<int>(c->res.result_int());
        if (m.status == 200 && c->res.body() == "success") {
          m.t_ack = now_ns();
          m.acked = true;
          ++acked_;
        } else {
          ++non_success_;
          if (samples_.size() < 5) samples_.push_back("answer " + std::to_string(m.status) + ": " + c->res.body());
        }
        if (!c->res.keep_alive()) close(*c);
        release(c);
      });
    });
  }

  void on_http_error(const std::shared_ptr<HttpConn>& c, const char* what, beast::error_code ec) {
    // A keep-alive connection the gateway closed while idle is retried on a
    // fresh one: the same MsgId, so a retry can never store a second row.
    bool stale = c->reused && (ec == http::error::end_of_stream || ec == net::error::connection_reset ||
                               ec == net::error::broken_pipe || ec == net::error::eof);
    if (!stale) {
      ++http_errors_;
      if (samples_.size() < 5) samples_.push_back(std::string(what) + ": " + ec.message());
    }
    close(*c);
    Msg& m = msgs_[c->msg];
    if (m.attempts < 3) queue_.push_front(c->msg);
    else m.failed = true;
    release(c);
  }

  void release(const std::shared_ptr<HttpConn>& c) {
    c->busy = false;
    pump();
  }

  static void close(HttpConn& c) {
    beast::error_code ignored;
    c.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    c.stream.close();
    c.buffer.consume(c.buffer.size());
    c.connected = false;
  }

  void on_drain(beast::error_code ec) {
    if (ec) return;
    bool settled = queue_.empty() && std::none_of(pool_.begin(), pool_.end(), [](auto& c) { return c->busy; }) &&
                   pushed_ + dup_pushes_ >= acked_ &&
                   std::all_of(msgs_.begin(), msgs_.end(), [](const Msg& m) { return !m.acked || m.t_push; });
    if (settled || Clock::now() >= drain_deadline_) return finish();
    tick_.expires_after(std::chrono::milliseconds(20));
    tick_.async_wait([this](beast::error_code e) { on_drain(e); });
  }

  void finish() {
    finished_ = true;
    ioc_.stop();
  }

  // ---- the report ---------------------------------------------------------------
  int report() {
    const auto warm_ns = load_start_ns_ + static_cast<std::int64_t>(opt_.warmup * 1e9);
    std::vector<double> e2e, ack, after_ack;
    size_t acked_not_pushed = 0, pushed_not_acked = 0, failed = 0;
    for (const Msg& m : msgs_) {
      if (m.failed) ++failed;
      if (m.acked && !m.t_push) ++acked_not_pushed;
      if (!m.acked && m.t_push) ++pushed_not_acked;  // stored, answer lost or not "success"
      if (m.t_sched < warm_ns) continue;
      if (m.acked && m.t_push) {
        e2e.push_back(static_cast<double>(m.t_push - m.t_sched) / 1e6);
        after_ack.push_back(static_cast<double>(m.t_push - m.t_ack) / 1e6);
      }
      if (m.acked) ack.push_back(static_cast<double>(m.t_ack - m.t_sched) / 1e6);
    }
    std::sort(e2e.begin(), e2e.end());
    std::sort(ack.begin(), ack.end());
    std::sort(after_ack.begin(), after_ack.end());
    size_t client_errors = 0;
    for (const Msg& m : msgs_)
      if (m.status >= 400 && m.status < 500) ++client_errors;

    std::vector<std::string> failures;
    if (agent_lost_) failures.push_back("the agent socket closed during the run");
    if (acked_ == 0) failures.push_back("no message was answered \"success\"");
    if (acked_not_pushed) failures.push_back(std::to_string(acked_not_pushed) + " messages answered \"success\" never reached the agent socket");
    if (dup_pushes_) failures.push_back(std::to_string(dup_pushes_) + " messages pushed to the agent twice");
    if (client_errors) failures.push_back(std::to_string(client_errors) + " requests refused with 4xx (bench bug: signature or format)");

    double offered = static_cast<double>(msgs_.size()) / opt_.duration;
    std::cout << "\n| end-to-end: webhook -> agent socket | figure | unit |\n| --- | ---: | --- |\n"
              << "| offered | " << fixed(offered, 0) << " | msg/s (target " << fixed(opt_.rate, 0) << ", "
              << fixed(opt_.duration, 1) << " s, first " << fixed(opt_.warmup, 1) << " s not counted) |\n"
              << "| sent / answered success / pushed to the agent | " << msgs_.size() << " / " << acked_ << " / "
              << pushed_ << " | messages |\n"
              << "| **scheduled send -> push p50 / p99 / p99.9 / max** | **" << fixed(percentile(e2e, 50)) << " / "
              << fixed(percentile(e2e, 99)) << " / " << fixed(percentile(e2e, 99.9)) << " / "
              << fixed(e2e.empty() ? NAN : e2e.back()) << "** | ms (goal p99 <= 10) |\n"
              << "| scheduled send -> \"success\" p50 / p99 | " << fixed(percentile(ack, 50)) << " / "
              << fixed(percentile(ack, 99)) << " | ms |\n"
              << "| \"success\" -> push p50 / p99 | " << fixed(percentile(after_ack, 50)) << " / "
              << fixed(percentile(after_ack, 99)) << " | ms (negative: the push overtook the answer) |\n\n";
    std::cout << "details: non-success answers " << non_success_ << ", HTTP errors " << http_errors_
              << ", given up " << failed << ", pushed but not answered success " << pushed_not_acked
              << ", other frames " << other_frames_ << ", unparsable frames " << bad_frames_ << "\n";
    for (const auto& s : samples_) std::cout << "  sample: " << s << "\n";

    if (!opt_.acked_file.empty()) {
      std::ofstream out(opt_.acked_file);
      for (std::uint32_t i = 0; i < msgs_.size(); ++i)
        if (msgs_[i].acked) out << msg_id(i) << "\n";
      if (!out) die("cannot write " + opt_.acked_file);
    }
    omnigate::bench::ResultFile r;
    r.add("sent", msgs_.size());
    r.add("acked", acked_);
    r.add("pushed", pushed_);
    r.add("dup_pushes", dup_pushes_);
    r.add("non_success", non_success_);
    r.add("http_errors", http_errors_);
    r.add("offered_per_s", offered, 0);
    r.add("counted", e2e.size());
    r.add("p50_ms", percentile(e2e, 50));
    r.add("p90_ms", percentile(e2e, 90));
    r.add("p99_ms", percentile(e2e, 99));
    r.add("p999_ms", percentile(e2e, 99.9));
    r.add("max_ms", e2e.empty() ? NAN : e2e.back());
    r.add("ack_p50_ms", percentile(ack, 50));
    r.add("ack_p99_ms", percentile(ack, 99));
    r.add("after_ack_p50_ms", percentile(after_ack, 50));
    r.add("after_ack_p99_ms", percentile(after_ack, 99));
    r.add("failures", failures.size());
    r.write(kTool, opt_.result_file);

    for (const auto& f : failures) std::cerr << "CHECK FAILED: " << f << "\n";
    if (!failures.empty()) return 1;
    std::cout << "check passed: every message answered \"success\" reached the agent socket exactly once\n";
    return 0;
  }

  Options opt_;
  net::io_context ioc_{1};
  tcp::endpoint endpoint_http_, endpoint_ws_;
  std::unique_ptr<Json::CharReader> reader_;
  std::mt19937 rng_;
  Clock::time_point origin_, load_start_, drain_deadline_;
  std::int64_t load_start_ns_ = 0;
  net::steady_timer tick_{ioc_};

  std::unique_ptr<websocket::stream<tcp::socket>> agent_;
  beast::flat_buffer agent_buffer_;
  bool agent_lost_ = false;
  bool finished_ = false;

  std::vector<std::shared_ptr<HttpConn>> pool_;
  std::deque<std::uint32_t> queue_;
  std::vector<Msg> msgs_;
  size_t acked_ = 0, pushed_ = 0, dup_pushes_ = 0, non_success_ = 0, http_errors_ = 0;
  size_t other_frames_ = 0, bad_frames_ = 0;
  std::vector<std::string> samples_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  try {
    Run run(std::move(o));
    return run.run();
  } catch (const std::exception& e) {
    std::cerr << kTool << ": " << e.what() << "\n";
    return 2;
  }
}
