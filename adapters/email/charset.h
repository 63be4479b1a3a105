#pragma once
// Bytes in whatever charset a mail declares (or does not) -> valid UTF-8.
// iconv (glibc, through GMime's alias table) does the work; this file only
// decides which charset to trust and what to do with bytes that do not fit.
#include <string>
#include <string_view>

namespace omnigate::adapters::email {

struct Utf8Text {
  std::string text;     // always valid UTF-8
  std::string problem;  // empty when the bytes decoded cleanly
};

// Converts `bytes` declared as `charset` to UTF-8.
// - Labels are widened to the superset real mail clients emit (GB2312/GBK ->
//   GB18030, Big5 -> CP950, ISO-8859-1/US-ASCII -> Windows-1252, Shift_JIS ->
//   CP932), so characters outside the nominal set are not lost.
// - No charset (or an unknown one, or "us-ascii" with 8-bit bytes): valid UTF-8
//   is taken as UTF-8, anything else is read as GB18030, the usual undeclared
//   charset of the Chinese mail this gateway serves; that guess is a problem.
// - Bytes the charset cannot map become U+FFFD and are reported, never dropped
//   silently and never thrown.
Utf8Text to_utf8(std::string_view bytes, std::string_view charset);

bool is_valid_utf8(std::string_view s);
// Replaces every invalid UTF-8 sequence with U+FFFD (and NUL with nothing).
std::string make_valid_utf8(std::string_view s);

}  // namespace omnigate::adapters::email
