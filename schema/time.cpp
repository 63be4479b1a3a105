#include "schema/time.h"

#include <charconv>
#include <cstdio>
#include <stdexcept>

namespace omnigate::schema {

namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// RFC 3339 has four-digit years, so the model's timestamps live in years
// 0000-9999. parse_timestamp never returns anything outside this range, so
// everything it returns can be formatted again.
constexpr std::chrono::sys_days kFirstDay = std::chrono::year{0} / 1 / 1;
constexpr std::chrono::sys_days kEndDay = std::chrono::year{10000} / 1 / 1;

bool in_range(Timestamp t) { return t >= kFirstDay && t < kEndDay; }

// A strict cursor over the text: every read consumes exactly what it expects
// or reports failure, so no partial or padded field is ever accepted.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

  bool done() const { return pos_ == s_.size(); }
  char peek() const { return done() ? '\0' : s_[pos_]; }

  bool eat(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }

  // Exactly `n` ASCII digits (from_chars alone would also take a sign).
  bool digits(std::size_t n, int& out) {
    if (s_.size() - pos_ < n) return false;
    for (std::size_t i = 0; i < n; ++i) {
      if (s_[pos_ + i] < '0' || s_[pos_ + i] > '9') return false;
    }
    std::from_chars(s_.data() + pos_, s_.data() + pos_ + n, out);
    pos_ += n;
    return true;
  }

  // One or more digits of a fraction of a second, truncated to microseconds.
  // More than nine digits is rejected: it is no real clock's output.
  bool fraction(microseconds& out) {
    std::size_t n = 0;
    long long us = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      if (++n > 9) return false;
      if (n <= 6) us = us * 10 + (s_[pos_] - '0');
      ++pos_;
    }
    if (n == 0) return false;
    for (std::size_t i = n; i < 6; ++i) us *= 10;
    out = microseconds{us};
    return true;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

// The UTC offset that ends the text. RFC 3339 allows 'Z' or ±hh:mm;
// PostgreSQL's output (`long_form`) also writes ±hh and, for historical
// local-mean-time zones, ±hh:mm:ss.
bool parse_offset(Cursor& c, bool long_form, seconds& out) {
  if (c.eat('Z') || c.eat('z')) {
    out = seconds{0};
    return true;
  }
  const bool negative = c.eat('-');
  if (!negative && !c.eat('+')) return false;
  int hh = 0, mm = 0, ss = 0;
  if (!c.digits(2, hh) || hh > 23) return false;
  if (c.eat(':')) {
    if (!c.digits(2, mm) || mm > 59) return false;
    if (c.eat(':')) {
      if (!long_form || !c.digits(2, ss) || ss > 59) return false;
    }
  } else if (!long_form) {
    return false;
  }
  out = hours{hh} + minutes{mm} + seconds{ss};
  if (negative) out = -out;
  return true;
}

}  // namespace

Timestamp now() {
  // floor, not a cast: a cast rounds toward zero, floor keeps "never later".
  return std::chrono::floor<microseconds>(std::chrono::system_clock::now());
}

std::string format_timestamp(Timestamp t) {
  // Outside years 0000-9999 there is no RFC 3339 form; failing loudly beats
  // writing a string that no reader (ours included) accepts.
  if (!in_range(t)) throw std::out_of_range("timestamp outside years 0000-9999");
  const auto day = std::chrono::floor<days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss<microseconds> tod{t - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                static_cast<int>(tod.seconds().count()), static_cast<long long>(tod.subseconds().count()));
  return buf;
}

std::optional<Timestamp> parse_timestamp(std::string_view text) {
  Cursor c(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!c.digits(4, y) || !c.eat('-') || !c.digits(2, mo) || !c.eat('-') || !c.digits(2, d)) {
    return std::nullopt;
  }
  // 'T' per RFC 3339 (which allows lowercase), or the space PostgreSQL writes.
  const bool space = c.eat(' ');
  if (!space && !c.eat('T') && !c.eat('t')) return std::nullopt;
  // Seconds stop at 59: sys_time has no leap seconds to put a :60 on.
  if (!c.digits(2, h) || h > 23 || !c.eat(':') || !c.digits(2, mi) || mi > 59 || !c.eat(':') ||
      !c.digits(2, s) || s > 59) {
    return std::nullopt;
  }
  microseconds frac{0};
  if (c.eat('.') && !c.fraction(frac)) return std::nullopt;
  seconds offset{0};
  if (!parse_offset(c, space, offset) || !c.done()) return std::nullopt;

  // year_month_day::ok() rejects month 13, February 30 and the like.
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  // Local time minus its offset is UTC.
  const Timestamp t =
      std::chrono::sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} + frac - offset;
  if (!in_range(t)) return std::nullopt;
  return t;
}

}  // namespace omnigate::schema
