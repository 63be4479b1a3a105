#include "adapters/email/charset.h"

#include "adapters/email/gmime_init.h"

#include <gmime/gmime.h>
#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

namespace omnigate::adapters::email {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// The iconv name to decode `label` with, widened to the superset that mail
// clients really use under that label (see the header).
std::string iconv_name(std::string_view label) {
  std::string l = lower(label);
  if (l == "gb2312" || l == "gbk" || l == "x-gbk" || l == "cp936" || l == "ms936" || l == "windows-936" ||
      l == "euc-cn" || l == "x-euc-cn" || l == "gb_2312-80" || l == "csgb2312" || l == "gb18030")
    return "GB18030";
  if (l == "big5" || l == "x-big5" || l == "cn-big5" || l == "csbig5" || l == "cp950") return "CP950";
  if (l == "iso-8859-1" || l == "iso8859-1" || l == "latin1" || l == "l1" || l == "us-ascii" || l == "ascii" ||
      l == "windows-1252" || l == "cp1252")
    return "WINDOWS-1252";
  if (l == "shift_jis" || l == "shift-jis" || l == "sjis" || l == "x-sjis" || l == "windows-31j" || l == "cp932")
    return "CP932";
  if (l == "ks_c_5601-1987" || l == "euc-kr" || l == "cp949") return "CP949";
  // GMime knows the rest of the aliases (latin2 -> iso-8859-2, utf8 -> UTF-8...).
  std::string key(l);
  const char* name = g_mime_charset_iconv_name(key.c_str());
  return name ? name : key;
}

bool is_utf8_label(std::string_view label) {
  std::string l = lower(label);
  return l == "utf-8" || l == "utf8";
}

// iconv with U+FFFD for every byte it cannot map. Returns false when the
// charset is unknown to iconv.
bool convert(std::string_view bytes, const std::string& from, std::string& out, bool& lossy) {
  iconv_t cd = iconv_open("UTF-8", from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  out.clear();
  lossy = false;
  std::string buf(std::max<size_t>(64, bytes.size() * 2), '\0');
  char* in = const_cast<char*>(bytes.data());  // iconv's signature, never written
  size_t in_left = bytes.size();
  auto drain = [&](char* start, char* end) { out.append(start, static_cast<size_t>(end - start)); };
  while (true) {
    char* o = buf.data();
    size_t o_left = buf.size();
    size_t r = in_left ? iconv(cd, &in, &in_left, &o, &o_left) : iconv(cd, nullptr, nullptr, &o, &o_left);
    drain(buf.data(), o);
    if (r != static_cast<size_t>(-1)) {
      if (in_left == 0) {
        // Flush the shift state of stateful charsets (ISO-2022-JP).
        o = buf.data();
        o_left = buf.size();
        iconv(cd, nullptr, nullptr, &o, &o_left);
        drain(buf.data(), o);
        break;
      }
      continue;
    }
    if (errno == E2BIG) continue;  // output drained above, go on
    // EILSEQ (unmappable byte) or EINVAL (cut mid-character at the end).
    lossy = true;
    out += kReplacement;
    if (errno == EINVAL || in_left == 0) break;
    ++in;
    --in_left;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset shift state after the bad byte
  }
  iconv_close(cd);
  return true;
}

// `always_report`: a wrong label is worth reporting even when the bytes
// turn out to be UTF-8; a missing one is not (most 8-bit mail is UTF-8).
Utf8Text guess(std::string_view bytes, std::string why, bool always_report) {
  if (is_valid_utf8(bytes)) return {std::string(bytes), always_report ? why + "; read as UTF-8" : ""};
  std::string out;
  bool lossy = false;
  if (!convert(bytes, "GB18030", out, lossy)) return {make_valid_utf8(bytes), why + "; kept as UTF-8 with replacements"};
  return {make_valid_utf8(out), why + "; not UTF-8, decoded as GB18030" + (lossy ? " with replacements" : "")};
}

}  // namespace

bool is_valid_utf8(std::string_view s) { return g_utf8_validate(s.data(), static_cast<gssize>(s.size()), nullptr); }

std::string make_valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const char* p = s.data();
  const char* end = p + s.size();
  while (p < end) {
    const char* bad = nullptr;
    if (g_utf8_validate(p, end - p, &bad)) {
      out.append(p, end);
      break;
    }
    out.append(p, bad);
    if (*bad != '\0') out += kReplacement;  // NUL bytes are dropped: no C API below copes with them
    p = bad + 1;
    // Skip continuation bytes of the broken sequence so one bad character gives one U+FFFD.
    while (p < end && (static_cast<unsigned char>(*p) & 0xC0) == 0x80) ++p;
  }
  return out;
}

Utf8Text to_utf8(std::string_view bytes, std::string_view charset) {
  ensure_gmime_initialized();  // GMime's charset alias table
  if (charset.empty()) {
    if (is_ascii(bytes)) return {make_valid_utf8(bytes), ""};
    return guess(bytes, "8-bit text without a declared charset", false);
  }
  std::string l = lower(charset);
  if ((l == "us-ascii" || l == "ascii") && !is_ascii(bytes))
    return guess(bytes, "8-bit text declared as us-ascii", true);
  if (is_utf8_label(l)) {
    if (is_valid_utf8(bytes)) return {std::string(bytes), ""};
    return {make_valid_utf8(bytes), "invalid UTF-8 in text declared as UTF-8; replaced"};
  }
  std::string out;
  bool lossy = false;
  if (!convert(bytes, iconv_name(l), out, lossy)) {
    if (is_ascii(bytes)) return {make_valid_utf8(bytes), ""};
    return guess(bytes, "unknown charset \"" + make_valid_utf8(charset) + "\"", true);
  }
  Utf8Text t{make_valid_utf8(out), ""};
  if (lossy) t.problem = "bytes not valid in charset " + make_valid_utf8(charset) + "; replaced";
  return t;
}

}  // namespace omnigate::adapters::email
