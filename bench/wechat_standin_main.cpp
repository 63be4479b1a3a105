// og_wechat_standin: the tests' local stand-in for WeChat's HTTP API
// (tests/support/wechat_standin.h, the real wire format) as a process of its
// own, so the outbound bench can point a channel's api_base at it.
//
//   og_wechat_standin --app-id ID --app-secret SECRET --url-file PATH
//                     [--expect N --prefix r] [--report PATH] [--latency-ms MS]
//
// Writes its base URL (http://127.0.0.1:PORT) to --url-file once it listens,
// serves until SIGTERM or SIGINT, then counts the accepted custom-send calls
// by their text content, which the bench makes unique per message
// ("<prefix><n>", n in 0..N-1): delivered, doubled (same content more than
// once), missing (an expected content never delivered), stray (content the
// bench never queued), and the delivery rate between the first and the last
// accepted send. Exit 0 only when all N arrived exactly once.
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <unordered_map>

#include "bench/tool_common.h"
#include "tests/support/wechat_standin.h"

namespace {

constexpr const char* kTool = "og_wechat_standin";
[[noreturn]] void die(const std::string& message) { omnigate::bench::die(kTool, message); }

struct Options {
  std::string app_id;
  std::string app_secret;
  std::string url_file;
  long long expect = -1;  // -1: no expectation, just count
  std::string prefix = "r";
  std::string report;
  long long latency_ms = 0;  // each send answered after this long, like WeChat over the Internet
};

Options parse_args(int argc, char** argv) {
  Options o;
  auto need = [&](int& i) -> std::string {
    if (i + 1 >= argc) die(std::string("missing value for ") + argv[i]);
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--app-id") o.app_id = need(i);
    else if (a == "--app-secret") o.app_secret = need(i);
    else if (a == "--url-file") o.url_file = need(i);
    else if (a == "--expect") o.expect = static_cast<long long>(omnigate::bench::number_arg(kTool, a, need(i)));
    else if (a == "--prefix") o.prefix = need(i);
    else if (a == "--report") o.report = need(i);
    else if (a == "--latency-ms") o.latency_ms = static_cast<long long>(omnigate::bench::number_arg(kTool, a, need(i)));
    else if (a == "-h" || a == "--help") {
      std::cout << "usage: og_wechat_standin --app-id ID --app-secret SECRET --url-file PATH [--expect N] "
                   "[--prefix P] [--report PATH] [--latency-ms MS]\n";
      std::exit(0);
    } else {
      die("unknown argument: " + a);
    }
  }
  if (o.app_id.empty() || o.app_secret.empty() || o.url_file.empty())
    die("--app-id, --app-secret and --url-file are required");
  return o;
}

// "<prefix><digits>" -> n when n < expect (or any n when expect < 0).
bool expected_index(const std::string& content, const Options& o, long long& n) {
  if (content.size() <= o.prefix.size() || content.compare(0, o.prefix.size(), o.prefix) != 0) return false;
  char* end = nullptr;
  n = std::strtoll(content.c_str() + o.prefix.size(), &end, 10);
  return end && *end == '\0' && n >= 0 && (o.expect < 0 || n < o.expect);
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);

  // Block the stop signals before the server's threads start (they inherit
  // the mask), so only sigwait below ever sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  omnigate::testing::WechatStandin api;
  api.add_app(o.app_id, o.app_secret);
  api.set_send_latency(std::chrono::milliseconds(o.latency_ms));
  {
    std::ofstream url(o.url_file);
    url << api.base_url() << "\n";
    if (!url) die("cannot write " + o.url_file);
  }
  std::cerr << kTool << ": listening on " << api.base_url() << "\n";
  int sig = 0;
  sigwait(&stop, &sig);

  auto sends = api.accepted_sends();
  std::unordered_map<long long, int> seen;
  size_t stray = 0, doubled = 0;
  for (const auto& s : sends) {
    long long n = 0;
    if (!expected_index(s.json["text"]["content"].asString(), o, n)) {
      ++stray;
      continue;
    }
    if (++seen[n] == 2) ++doubled;
  }
  size_t missing = o.expect < 0 ? 0 : static_cast<size_t>(o.expect) - seen.size();
  double span = sends.size() > 1 ? std::chrono::duration<double>(sends.back().at - sends.front().at).count() : 0;
  double rate = span > 0 ? static_cast<double>(sends.size() - 1) / span : NAN;
  size_t refused = api.requests(omnigate::testing::WechatStandin::kCustomSendPath).size() - sends.size();
  size_t token_calls = api.count(omnigate::testing::WechatStandin::kTokenPath);

  std::cout << kTool << ": " << sends.size() << " sends accepted (" << seen.size() << " distinct, " << doubled
            << " doubled, " << missing << " missing, " << stray << " stray, " << refused << " refused), "
            << token_calls << " token requests; " << omnigate::bench::fixed(rate, 0) << " deliveries/s over "
            << omnigate::bench::fixed(span, 3) << " s\n";
  omnigate::bench::ResultFile r;
  r.add("accepted", sends.size());
  r.add("distinct", seen.size());
  r.add("doubled", doubled);
  r.add("missing", missing);
  r.add("stray", stray);
  r.add("refused", refused);
  r.add("token_calls", token_calls);
  r.add("span_s", span);
  r.add("deliveries_per_s", rate, 0);
  r.write(kTool, o.report);
  bool ok = doubled == 0 && stray == 0 && missing == 0 && (o.expect < 0 || sends.size() == static_cast<size_t>(o.expect));
  return ok ? 0 : 1;
}
