#pragma once
// Small pieces the bench tools (og_ws_load, og_e2e_latency, og_copy_ceiling,
// og_wechat_standin) share: fatal errors, percentiles of a sorted sample,
// number formatting, key=value result files, and the loopback-only rule.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace omnigate::bench {

// Prints "<tool>: <message>" and exits 2 (1 is kept for "a check failed").
[[noreturn]] inline void die(const std::string& tool, const std::string& message) {
  std::cerr << tool << ": " << message << "\n";
  std::exit(2);
}

// Nearest-rank percentile (p in 0..100) of an ascending sample; NaN when empty.
inline double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return NAN;
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// Fixed-point text; "-" for NaN (an empty sample), so tables stay readable.
inline std::string fixed(double v, int precision = 2) {
  if (std::isnan(v)) return "-";
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(precision);
  s << v;
  return s.str();
}

// Strict non-negative number for a command-line flag; dies otherwise.
inline double number_arg(const std::string& tool, const std::string& flag, const std::string& value) {
  char* end = nullptr;
  double d = std::strtod(value.c_str(), &end);
  if (value.empty() || !end || *end != '\0' || !(d >= 0))
    die(tool, flag + ": expected a non-negative number, got '" + value + "'");
  return d;
}

// key=value lines, the format every bench script reads back (bash `read`).
class ResultFile {
 public:
  void add(const std::string& key, const std::string& value) { lines_.emplace_back(key, value); }
  void add(const std::string& key, double value, int precision = 3) { add(key, fixed(value, precision)); }
  void add(const std::string& key, long long value) { add(key, std::to_string(value)); }
  void add(const std::string& key, size_t value) { add(key, std::to_string(value)); }
  // Writes nothing when path is empty; dies when it cannot write.
  void write(const std::string& tool, const std::string& path) const {
    if (path.empty()) return;
    std::ofstream out(path);
    for (const auto& [k, v] : lines_) out << k << "=" << v << "\n";
    if (!out) die(tool, "cannot write " + path);
  }

 private:
  std::vector<std::pair<std::string, std::string>> lines_;
};

// Dotted IPv4 in 127.0.0.0/8: the tools load only this machine.
inline bool is_loopback_v4(const std::string& host) {
  unsigned a = 0, b = 0, c = 0, d = 0;
  char tail = 0;
  if (std::sscanf(host.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4) return false;
  return a == 127 && b < 256 && c < 256 && d < 256;
}

}  // namespace omnigate::bench
