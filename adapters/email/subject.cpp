#include "adapters/email/subject.h"

#include <array>
#include <cctype>

namespace omnigate::adapters::email {
namespace {

// Reply prefixes of the clients our customers use (English, Chinese in both
// scripts, German, Nordic, Dutch); matched case-insensitively for ASCII.
constexpr std::array<std::string_view, 8> kReplyPrefixes = {"re", "aw", "sv", "antw", "回复", "答复", "回覆", "答覆"};
constexpr std::array<std::string_view, 6> kForwardPrefixes = {"fwd", "fw", "wg", "转发", "轉寄", "轉發"};
constexpr std::string_view kFullWidthColon = "\xEF\xBC\x9A";  // U+FF1A "："

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

// After a prefix word: an optional counter ("[2]", " (2)"), spaces, then ":"
// or "：". On a match `s` moves past the colon and true is returned; else `s`
// is left alone ("Request: ..." is not "Re" + "quest").
bool consume_colon(std::string_view& s) {
  std::string_view t = s;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  if (!t.empty() && (t.front() == '[' || t.front() == '(')) {
    char close = t.front() == '[' ? ']' : ')';
    size_t end = t.find(close);
    if (end == std::string_view::npos || end == 1 || end > 5) return false;
    for (size_t i = 1; i < end; ++i)
      if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
    t.remove_prefix(end + 1);
  }
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  if (t.starts_with(':')) {
    t.remove_prefix(1);
  } else if (t.starts_with(kFullWidthColon)) {
    t.remove_prefix(kFullWidthColon.size());
  } else {
    return false;
  }
  s = t;
  return true;
}

template <size_t N>
bool strip_one(std::string_view& s, const std::array<std::string_view, N>& prefixes) {
  for (std::string_view p : prefixes) {
    if (!starts_with_nocase(s, p)) continue;
    std::string_view rest = s.substr(p.size());
    if (consume_colon(rest)) {
      s = trim_left(rest);
      return true;
    }
  }
  return false;
}

// A leading "[list-name]" or "[Ticket #42]" tag.
bool strip_tag(std::string_view& s) {
  if (!s.starts_with('[')) return false;
  size_t end = s.find(']');
  if (end == std::string_view::npos) return false;
  s = trim_left(s.substr(end + 1));
  return true;
}

}  // namespace

std::string strip_reply_prefixes(std::string_view subject) {
  std::string_view s = trim_left(subject);
  while (strip_one(s, kReplyPrefixes)) {
  }
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string subject_topic(std::string_view subject) {
  std::string_view s = trim_left(subject);
  while (strip_one(s, kReplyPrefixes) || strip_one(s, kForwardPrefixes) || strip_tag(s)) {
  }
  std::string out;
  bool space = false;
  for (char c : s) {
    if (is_space(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

std::string reply_subject(std::string_view subject) {
  std::string rest = strip_reply_prefixes(subject);
  return rest.empty() ? "Re:" : "Re: " + rest;
}

}  // namespace omnigate::adapters::email
