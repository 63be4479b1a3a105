#include "adapters/email/quote_stripper.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <vector>

namespace omnigate::adapters::email {
namespace {

// The longest line we still read as an attribution: past that it is prose.
constexpr size_t kMaxAttributionBytes = 300;
// How far below "发件人:/From:" the rest of an Outlook header block must appear.
constexpr size_t kHeaderBlockLines = 6;

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view l = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (l.ends_with('\r')) l.remove_suffix(1);
    lines.emplace_back(l);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

std::string_view trim(std::string_view s) {
  // ASCII whitespace plus the UTF-8 no-break space and ideographic space.
  while (true) {
    if (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
      s.remove_prefix(1);
    } else if (s.starts_with("\xC2\xA0")) {
      s.remove_prefix(2);
    } else if (s.starts_with("\xE3\x80\x80")) {
      s.remove_prefix(3);
    } else {
      break;
    }
  }
  while (true) {
    if (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
      s.remove_suffix(1);
    } else if (s.ends_with("\xC2\xA0")) {
      s.remove_suffix(2);
    } else if (s.ends_with("\xE3\x80\x80")) {
      s.remove_suffix(3);
    } else {
      break;
    }
  }
  return s;
}

bool blank(std::string_view l) { return trim(l).empty(); }
bool quoted(std::string_view l) { return l.starts_with('>'); }

bool starts_with_any(std::string_view s, std::initializer_list<std::string_view> prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [s](std::string_view p) { return s.starts_with(p); });
}
bool ends_with_any(std::string_view s, std::initializer_list<std::string_view> suffixes) {
  return std::any_of(suffixes.begin(), suffixes.end(), [s](std::string_view p) { return s.ends_with(p); });
}
bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// "...wrote:" and its translations: the end of an attribution line.
bool ends_attribution(std::string_view t) {
  return t.size() <= kMaxAttributionBytes &&
         ends_with_any(t, {"wrote:", "写道：", "写道:", "寫道：", "寫道:", "a écrit :", "a écrit:", "schrieb:"});
}
bool starts_attribution(std::string_view t) {
  return starts_with_any(t, {"On ", "在 ", "在", "Le ", "Am "}) || contains(t, "年");
}

// An attribution starting at line i: how many lines it spans (1 or 2), or 0.
size_t attribution_at(const std::vector<std::string>& lines, size_t i) {
  std::string_view t = trim(lines[i]);
  if (t.empty() || quoted(t)) return 0;
  if (ends_attribution(t) && (starts_attribution(t) || contains(t, "@"))) return 1;
  // Gmail wraps a long "On <date> <name> <address>" before "wrote:".
  if (i + 1 < lines.size() && starts_attribution(t)) {
    std::string_view next = trim(lines[i + 1]);
    if (!next.empty() && !quoted(next) && ends_attribution(next) && t.size() + next.size() <= kMaxAttributionBytes)
      return 2;
  }
  return 0;
}

bool is_header_label(std::string_view t) {
  return starts_with_any(t, {"发件人:", "发件人：", "發件人:", "發件人：", "寄件者:", "寄件者：", "From:", "发送时间:",
                             "发送时间：", "日期:", "日期：", "Sent:", "Date:", "收件人:", "收件人：", "To:",
                             "主题:", "主题：", "主旨:", "主旨：", "Subject:", "抄送:", "抄送：", "Cc:"});
}
bool is_from_label(std::string_view t) {
  return starts_with_any(t, {"发件人:", "发件人：", "發件人:", "發件人：", "寄件者:", "寄件者：", "From:"});
}

// Outlook's header block of the previous message: "From:/发件人:" followed
// closely by at least two more of its header lines.
bool header_block_at(const std::vector<std::string>& lines, size_t i) {
  std::string_view t = trim(lines[i]);
  // Outlook's HTML-to-text sometimes bolds the labels: "*From:* ...".
  if (t.starts_with('*')) t.remove_prefix(1);
  if (!is_from_label(t)) return false;
  int more = 0;
  for (size_t j = i + 1; j < lines.size() && j <= i + kHeaderBlockLines; ++j) {
    std::string_view u = trim(lines[j]);
    if (u.starts_with('*')) u.remove_prefix(1);
    if (is_header_label(u) && !is_from_label(u)) ++more;
  }
  return more >= 2;
}

// "-----Original Message-----", "------------------ 原始邮件 ------------------".
bool original_message_separator(std::string_view t) {
  if (!t.starts_with("--") || !t.ends_with("--")) return false;
  size_t first = t.find_first_not_of('-');
  if (first == std::string_view::npos) return false;  // a line of dashes only
  std::string inner(trim(t.substr(first, t.find_last_not_of('-') - first + 1)));
  std::string low(inner);
  std::transform(low.begin(), low.end(), low.begin(), [](unsigned char c) { return std::tolower(c); });
  return low == "original message" || low == "original" || inner == "原始邮件" || inner == "原始郵件" ||
         inner == "原始信件";
}

// A line of underscores (Outlook) followed by the previous message's From.
bool underscore_separator_at(const std::vector<std::string>& lines, size_t i) {
  std::string_view t = trim(lines[i]);
  if (t.size() < 16 || t.find_first_not_of('_') != std::string_view::npos) return false;
  for (size_t j = i + 1; j < lines.size() && j <= i + 3; ++j) {
    std::string_view u = trim(lines[j]);
    if (u.starts_with('*')) u.remove_prefix(1);
    if (is_from_label(u)) return true;
    if (!u.empty()) return false;
  }
  return false;
}

bool forward_marker(std::string_view t) {
  return contains(t, "Forwarded message") || contains(t, "Begin forwarded message") || contains(t, "转发邮件") ||
         contains(t, "轉寄郵件") || contains(t, "转发的邮件");
}

bool mobile_signature(std::string_view t) {
  return starts_with_any(t, {"Sent from my ", "Get Outlook for ", "发自我的", "来自我的", "從我的", "从我的"}) &&
         t.size() < 80;
}

}  // namespace

std::string strip_quote(std::string_view text) {
  std::vector<std::string> lines = split_lines(text);
  size_t end = lines.size();
  std::vector<bool> drop(lines.size(), false);

  // For each line j, looking at lines j.. to the end: is any quoted
  // (any_quoted), and does an unquoted answer follow a quoted line
  // (answer_after_quote)? Computed once from the end so that many
  // attribution lines cost linear time, not quadratic.
  auto answer = [&](size_t j) {
    std::string_view t = trim(lines[j]);
    return !quoted(lines[j]) && !t.empty() && !mobile_signature(t) && t != "--";
  };
  std::vector<char> any_quoted(lines.size() + 1, 0), answer_below(lines.size() + 1, 0),
      answer_after_quote(lines.size() + 1, 0);
  for (size_t j = lines.size(); j-- > 0;) {
    any_quoted[j] = quoted(lines[j]) || any_quoted[j + 1];
    answer_below[j] = answer(j) || answer_below[j + 1];
    answer_after_quote[j] = (quoted(lines[j]) && answer_below[j + 1]) || answer_after_quote[j + 1];
  }

  for (size_t i = 0; i < lines.size() && end == lines.size(); ++i) {
    std::string_view t = trim(lines[i]);
    // A forwarded mail is content the sender wants read: nothing below it is cut.
    if (forward_marker(t)) break;
    if (original_message_separator(t) || underscore_separator_at(lines, i) || header_block_at(lines, i)) {
      end = i;
      break;
    }
    if (size_t span = attribution_at(lines, i)) {
      // All quoted below (top posting) -> the quote starts here. Unquoted
      // lines among quoted ones -> answers written inline: keep them.
      if (any_quoted[i + span] && answer_after_quote[i + span]) {
        for (size_t k = i; k < i + span; ++k) drop[k] = true;
        i += span - 1;
        continue;
      }
      end = i;
      break;
    }
  }

  std::vector<std::string_view> kept;
  for (size_t i = 0; i < end; ++i) {
    if (drop[i] || quoted(lines[i])) continue;
    // The signature separator ends the new content ("-- ", or "--" once
    // trailing spaces were eaten on the way).
    if (!kept.empty() && (lines[i] == "-- " || lines[i] == "--")) break;
    kept.push_back(lines[i]);
  }
  while (!kept.empty() && blank(kept.back())) kept.pop_back();
  if (!kept.empty() && mobile_signature(trim(kept.back()))) kept.pop_back();
  while (!kept.empty() && blank(kept.back())) kept.pop_back();
  size_t first = 0;
  while (first < kept.size() && blank(kept[first])) ++first;

  std::string out;
  for (size_t i = first; i < kept.size(); ++i) {
    if (i > first) out += '\n';
    out += kept[i];
  }
  if (!out.empty()) return out;
  // Never strip everything: a mail that is all quote is shown whole.
  std::string_view whole = text;
  while (!whole.empty() && (whole.front() == '\n' || whole.front() == '\r')) whole.remove_prefix(1);
  while (!whole.empty() && std::isspace(static_cast<unsigned char>(whole.back()))) whole.remove_suffix(1);
  return std::string(whole);
}

}  // namespace omnigate::adapters::email
