#include "adapters/email/mime_parser.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "adapters/email/auto_reply.h"
#include "adapters/email/charset.h"
#include "adapters/common/crypto.h"
#include "adapters/email/gmime_init.h"
#include "adapters/email/html_text.h"
#include "adapters/email/quote_stripper.h"

namespace omnigate::adapters::email {
namespace {

// Deeper than any real mail; GMime has its own (higher) nesting guard.
constexpr int kMaxDepth = 32;
// Problems quote pieces of the input; keep those short.
constexpr size_t kMaxQuotedItem = 80;

struct GObjectUnref {
  void operator()(void* p) const {
    if (p) g_object_unref(p);
  }
};
template <class T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

struct GFree {
  void operator()(void* p) const { g_free(p); }
};
using GString_ = std::unique_ptr<char, GFree>;

struct OptionsFree {
  void operator()(GMimeParserOptions* o) const { g_mime_parser_options_free(o); }
};
struct ReferencesFree {
  void operator()(GMimeReferences* r) const { g_mime_references_free(r); }
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string str(const char* s) { return s ? make_valid_utf8(s) : std::string(); }

std::string quote_item(const char* item) {
  std::string s = str(item);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  if (s.size() > kMaxQuotedItem) s = make_valid_utf8(s.substr(0, kMaxQuotedItem)) + "...";
  return s;
}

void add_problem(ParsedEmail& out, std::string p) {
  if (std::find(out.problems.begin(), out.problems.end(), p) == out.problems.end()) out.problems.push_back(std::move(p));
}

// GMime reports what it had to repair while parsing; each becomes a problem.
void on_parser_warning(gint64 offset, GMimeParserWarning code, const gchar* item, gpointer user_data) {
  auto* out = static_cast<ParsedEmail*>(user_data);
  try {
    std::string what;
    switch (code) {
      case GMIME_WARN_DUPLICATED_HEADER: what = "duplicated header " + quote_item(item); break;
      case GMIME_WARN_DUPLICATED_PARAMETER: what = "duplicated header parameter " + quote_item(item); break;
      case GMIME_WARN_UNENCODED_8BIT_HEADER: what = "header with unencoded 8-bit text: " + quote_item(item); break;
      case GMIME_WARN_INVALID_CONTENT_TYPE: what = "invalid Content-Type, read as application/octet-stream"; break;
      case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE: what = "invalid RFC 2047 encoded header: " + quote_item(item); break;
      case GMIME_WARN_MALFORMED_MULTIPART: what = "multipart without parts (wrong boundary?)"; break;
      case GMIME_WARN_TRUNCATED_MESSAGE: what = "the message is truncated"; break;
      case GMIME_WARN_MALFORMED_MESSAGE: what = "malformed message"; break;
      case GMIME_CRIT_INVALID_HEADER_NAME: what = "invalid header name: " + quote_item(item); break;
      case GMIME_CRIT_CONFLICTING_HEADER: what = "conflicting header " + quote_item(item); break;
      case GMIME_CRIT_CONFLICTING_PARAMETER: what = "conflicting header parameter " + quote_item(item); break;
      case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY: what = "multipart without a boundary"; break;
      case GMIME_WARN_INVALID_PARAMETER: what = "invalid header parameter " + quote_item(item); break;
      case GMIME_WARN_INVALID_ADDRESS_LIST: what = "invalid address list: " + quote_item(item); break;
      case GMIME_CRIT_NESTING_OVERFLOW: what = "MIME nesting too deep; inner parts skipped"; break;
      case GMIME_WARN_PART_WITHOUT_CONTENT: what = "a MIME part has headers but no content"; break;
      case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT: what = "a MIME part has neither headers nor content"; break;
      default: what = "parser warning " + std::to_string(static_cast<int>(code)); break;
    }
    (void)offset;  // offsets mean nothing to an agent
    add_problem(*out, "mime: " + what);
  } catch (...) {
    // Out of memory while describing a warning: the warning is lost, the parse goes on.
  }
}

std::vector<Mailbox> read_addresses(InternetAddressList* list) {
  std::vector<Mailbox> out;
  if (!list) return out;
  int n = internet_address_list_length(list);
  for (int i = 0; i < n; ++i) {
    InternetAddress* a = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_GROUP(a)) {
      // "undisclosed-recipients:;" and named groups: their members count.
      for (Mailbox& m : read_addresses(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a))))
        out.push_back(std::move(m));
    } else if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
      Mailbox m{str(internet_address_get_name(a)), str(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)))};
      if (!m.address.empty() || !m.name.empty()) out.push_back(std::move(m));
    }
  }
  return out;
}

std::vector<std::string> read_message_ids(GMimeParserOptions* opts, const char* value) {
  std::vector<std::string> ids;
  if (!value) return ids;
  std::unique_ptr<GMimeReferences, ReferencesFree> refs(g_mime_references_parse(opts, value));
  if (!refs) return ids;
  for (int i = 0; i < g_mime_references_length(refs.get()); ++i) {
    std::string id = str(g_mime_references_get_message_id(refs.get(), i));
    if (!id.empty()) ids.push_back(std::move(id));
  }
  return ids;
}

std::string header(GMimeObject* obj, const char* name) { return str(g_mime_object_get_header(obj, name)); }

std::string mime_type(GMimeObject* obj) {
  GMimeContentType* ct = g_mime_object_get_content_type(obj);
  if (!ct) return "application/octet-stream";
  GString_ t(g_mime_content_type_get_mime_type(ct));
  return t ? make_valid_utf8(lower(t.get())) : "application/octet-stream";
}

// Cuts at a UTF-8 character boundary at or below `max` bytes.
void cap_text(std::string& s, size_t max, const char* what, ParsedEmail& out) {
  if (s.size() <= max) return;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  add_problem(out, std::string(what) + " longer than " + std::to_string(max) + " bytes; cut");
}

std::string unix_newlines(std::string s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out += '\n';
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Walks the MIME tree: text/plain and text/html parts that are not
// attachments are the body; every other leaf (and any embedded message) is
// an attachment.
class Walker {
 public:
  Walker(ParsedEmail& out, const ParseLimits& limits) : out_(out), limits_(limits) {}

  void walk(GMimeObject* obj, int depth, bool alt_has_plain, bool in_related) {
    if (!obj) return;
    if (depth > kMaxDepth) {
      add_problem(out_, "mime: nesting deeper than " + std::to_string(kMaxDepth) + " levels; inner parts skipped");
      return;
    }
    if (GMIME_IS_MULTIPART(obj)) {
      walk_multipart(GMIME_MULTIPART(obj), depth, alt_has_plain, in_related);
    } else if (GMIME_IS_MESSAGE_PART(obj)) {
      embedded_message(GMIME_MESSAGE_PART(obj));
    } else if (GMIME_IS_PART(obj)) {
      leaf(GMIME_PART(obj), alt_has_plain, in_related);
    }
  }

  void finish() {
    std::string text;
    for (const std::string& t : texts_) {
      if (t.empty()) continue;
      if (!text.empty()) text += "\n";
      text += t;
    }
    // Trailing blank lines are transport noise (QP soft breaks, CRLF pairs).
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t')) text.pop_back();
    cap_text(text, limits_.max_text_bytes, "text", out_);
    cap_text(html_, limits_.max_text_bytes, "html", out_);
    out_.text = std::move(text);
    out_.html = std::move(html_);
  }

 private:
  void walk_multipart(GMimeMultipart* mp, int depth, bool alt_has_plain, bool in_related) {
    GMimeObject* obj = GMIME_OBJECT(mp);
    GMimeContentType* ct = g_mime_object_get_content_type(obj);
    int n = g_mime_multipart_get_count(mp);
    if (ct && g_mime_content_type_is_type(ct, "multipart", "alternative")) {
      // Prefer text/plain: its HTML sibling is then kept as `html` only.
      for (int i = 0; i < n; ++i) {
        GMimeObject* c = g_mime_multipart_get_part(mp, i);
        if (GMIME_IS_PART(c) && mime_type(c) == "text/plain" && !is_attachment(c)) alt_has_plain = true;
      }
      for (int i = 0; i < n; ++i) {
        GMimeObject* c = g_mime_multipart_get_part(mp, i);
        std::string t = mime_type(c);
        // Only the first text/plain of an alternative is the text; richer
        // formats than HTML (text/enriched, text/calendar) are kept as files.
        if (t == "text/plain" && took_plain_in_alternative(mp)) continue;
        walk(c, depth + 1, alt_has_plain, in_related);
      }
      return;
    }
    bool related = in_related || (ct && g_mime_content_type_is_type(ct, "multipart", "related"));
    for (int i = 0; i < n; ++i) walk(g_mime_multipart_get_part(mp, i), depth + 1, alt_has_plain, related);
  }

  bool took_plain_in_alternative(GMimeMultipart* mp) {
    if (std::find(alternatives_with_plain_.begin(), alternatives_with_plain_.end(), mp) != alternatives_with_plain_.end())
      return true;
    alternatives_with_plain_.push_back(mp);
    return false;
  }

  static bool is_attachment(GMimeObject* obj) {
    const char* d = g_mime_object_get_disposition(obj);
    return d && lower(d) == "attachment";
  }

  static std::string decoded_content(GMimePart* part) {
    GMimeDataWrapper* w = g_mime_part_get_content(part);
    if (!w) return {};
    GPtr<GMimeStream> mem(g_mime_stream_mem_new());
    if (g_mime_data_wrapper_write_to_stream(w, mem.get()) < 0) return {};
    GByteArray* ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
    return ba ? std::string(reinterpret_cast<const char*>(ba->data), ba->len) : std::string();
  }

  // Base64 whose length is not a multiple of 4 was cut off in transit; GMime
  // decodes what is there without a word, so look at the encoded form.
  void check_base64(GMimePart* part, const std::string& label) {
    if (g_mime_part_get_content_encoding(part) != GMIME_CONTENT_ENCODING_BASE64) return;
    GMimeDataWrapper* w = g_mime_part_get_content(part);
    GMimeStream* s = w ? g_mime_data_wrapper_get_stream(w) : nullptr;
    if (!s) return;
    GPtr<GMimeStream> mem(g_mime_stream_mem_new());
    g_mime_stream_reset(s);
    if (g_mime_stream_write_to_stream(s, mem.get()) < 0) return;
    g_mime_stream_reset(s);
    GByteArray* ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
    size_t chars = 0;
    bool padded = false;
    for (guint i = 0; ba && i < ba->len; ++i) {
      unsigned char c = ba->data[i];
      if (std::isalnum(c) || c == '+' || c == '/') ++chars;
      if (c == '=') {
        padded = true;
        ++chars;
      }
    }
    if (chars % 4 != 0 && !padded) add_problem(out_, "mime: base64 content of " + label + " is cut short");
  }

  void leaf(GMimePart* part, bool alt_has_plain, bool in_related) {
    GMimeObject* obj = GMIME_OBJECT(part);
    std::string type = mime_type(obj);
    std::string filename = str(g_mime_part_get_filename(part));
    bool attachment_disposition = is_attachment(obj);
    bool is_body = (type == "text/plain" || type == "text/html") && !attachment_disposition && filename.empty();
    check_base64(part, is_body ? type + " body" : "attachment \"" + filename + "\"");
    std::string bytes = decoded_content(part);

    if (is_body) {
      std::string charset = str(g_mime_object_get_content_type_parameter(obj, "charset"));
      if (type == "text/html" && charset.empty()) charset = html_meta_charset(bytes);
      Utf8Text t = to_utf8(bytes, charset);
      if (!t.problem.empty()) add_problem(out_, type + " body: " + t.problem);
      std::string text = unix_newlines(std::move(t.text));
      if (type == "text/plain") {
        texts_.push_back(std::move(text));
      } else {
        // HTML becomes the text only when no text/plain alternative exists.
        if (!alt_has_plain) texts_.push_back(html_to_text(text));
        if (html_.empty()) html_ = std::move(text);
      }
      return;
    }

    Attachment a;
    a.filename = filename;
    a.content_type = type;
    a.content_id = str(g_mime_object_get_content_id(obj));
    const char* disposition = g_mime_object_get_disposition(obj);
    a.is_inline = disposition ? lower(disposition) == "inline" : (in_related && !a.content_id.empty());
    keep(std::move(a), std::move(bytes));
  }

  // A forwarded mail or a bounce's returned original (message/rfc822): kept
  // whole, as an .eml attachment.
  void embedded_message(GMimeMessagePart* mp) {
    GMimeObject* obj = GMIME_OBJECT(mp);
    Attachment a;
    a.content_type = mime_type(obj);
    a.content_id = str(g_mime_object_get_content_id(obj));
    a.filename = str(g_mime_object_get_content_disposition_parameter(obj, "filename"));
    GMimeMessage* inner = g_mime_message_part_get_message(mp);
    if (a.filename.empty() && inner) {
      std::string subject = str(g_mime_message_get_subject(inner));
      a.filename = (subject.empty() ? "message" : subject) + ".eml";
    }
    std::string bytes;
    if (inner) {
      GPtr<GMimeStream> mem(g_mime_stream_mem_new());
      if (g_mime_object_write_to_stream(GMIME_OBJECT(inner), nullptr, mem.get()) >= 0) {
        GByteArray* ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
        if (ba) bytes.assign(reinterpret_cast<const char*>(ba->data), ba->len);
      }
    }
    keep(std::move(a), std::move(bytes));
  }

  void keep(Attachment a, std::string bytes) {
    a.size = bytes.size();
    std::string label = a.filename.empty() ? a.content_type : a.filename;
    if (a.size > limits_.max_attachment_bytes) {
      a.bytes_dropped = true;
      add_problem(out_, "attachment \"" + label + "\" (" + std::to_string(a.size) +
                            " bytes) is over the per-attachment limit; bytes dropped");
    } else if (total_ + a.size > limits_.max_total_attachment_bytes) {
      a.bytes_dropped = true;
      add_problem(out_, "attachment \"" + label + "\" (" + std::to_string(a.size) +
                            " bytes) is over the total attachment limit; bytes dropped");
    } else {
      total_ += a.size;
      a.bytes = std::move(bytes);
    }
    out_.attachments.push_back(std::move(a));
  }

  ParsedEmail& out_;
  const ParseLimits& limits_;
  size_t total_ = 0;
  std::vector<std::string> texts_;
  std::string html_;
  std::vector<GMimeMultipart*> alternatives_with_plain_;
};

void read_headers(GMimeMessage* msg, GMimeParserOptions* opts, ParsedEmail& out) {
  GMimeObject* obj = GMIME_OBJECT(msg);
  out.message_id = str(g_mime_message_get_message_id(msg));
  if (out.message_id.empty()) add_problem(out, "no Message-ID");
  std::vector<std::string> irt = read_message_ids(opts, g_mime_object_get_header(obj, "In-Reply-To"));
  if (!irt.empty()) out.in_reply_to = irt.front();
  out.references = read_message_ids(opts, g_mime_object_get_header(obj, "References"));

  out.from = read_addresses(g_mime_message_get_from(msg));
  out.to = read_addresses(g_mime_message_get_to(msg));
  out.cc = read_addresses(g_mime_message_get_cc(msg));
  out.reply_to = read_addresses(g_mime_message_get_reply_to(msg));
  if (std::none_of(out.from.begin(), out.from.end(), [](const Mailbox& m) { return !m.address.empty(); }))
    add_problem(out, "no readable From address");

  out.subject = str(g_mime_message_get_subject(msg));
  if (GDateTime* d = g_mime_message_get_date(msg)) {
    out.date = schema::Timestamp(std::chrono::seconds(g_date_time_to_unix(d)) +
                                 std::chrono::microseconds(g_date_time_get_microsecond(d)));
  } else if (g_mime_object_get_header(obj, "Date")) {
    add_problem(out, "unreadable Date: " + quote_item(g_mime_object_get_header(obj, "Date")));
  }

  HeadersOfInterest& h = out.headers;
  h.auto_submitted = header(obj, "Auto-Submitted");
  h.precedence = header(obj, "Precedence");
  h.x_autoreply = header(obj, "X-Autoreply");
  h.x_autorespond = header(obj, "X-Autorespond");
  h.x_auto_response_suppress = header(obj, "X-Auto-Response-Suppress");
  h.x_failed_recipients = header(obj, "X-Failed-Recipients");
  h.list_id = header(obj, "List-Id");
  h.has_return_path = g_mime_object_get_header(obj, "Return-Path") != nullptr;
  h.return_path = header(obj, "Return-Path");

  if (GMimeObject* root = g_mime_message_get_mime_part(msg)) {
    h.content_type = header(root, "Content-Type");
    if (h.content_type.empty()) h.content_type = mime_type(root);
    GMimeContentType* ct = g_mime_object_get_content_type(root);
    if (ct && g_mime_content_type_is_type(ct, "multipart", "report"))
      h.report_type = lower(str(g_mime_content_type_get_parameter(ct, "report-type")));
  }
}

void parse_into(std::string_view raw, const ParseLimits& limits, ParsedEmail& out) {
  std::unique_ptr<GMimeParserOptions, OptionsFree> opts(g_mime_parser_options_new());
  // Real mail breaks the RFCs constantly; read it the way mail clients do.
  g_mime_parser_options_set_rfc2047_compliance_mode(opts.get(), GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_address_compliance_mode(opts.get(), GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_parameter_compliance_mode(opts.get(), GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_allow_addresses_without_domain(opts.get(), TRUE);
  // Raw 8-bit header text: UTF-8 when it is valid, else GB18030 (the
  // undeclared charset of most Chinese mail; a superset of GBK and GB2312).
  const char* fallback[] = {"UTF-8", "GB18030", nullptr};
  g_mime_parser_options_set_fallback_charsets(opts.get(), fallback);
  g_mime_parser_options_set_warning_callback(opts.get(), on_parser_warning, &out);

  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  GPtr<GMimeMessage> msg(g_mime_parser_construct_message(parser.get(), opts.get()));
  if (!msg) {
    add_problem(out, "not a mail message: no headers could be read");
    return;
  }
  read_headers(msg.get(), opts.get(), out);
  Walker walker(out, limits);
  walker.walk(g_mime_message_get_mime_part(msg.get()), 0, false, false);
  walker.finish();
}

// Each stage runs even when an earlier one failed (an exception here is a
// bug, but a bug in the quote stripper must not hide a bounce).
template <class F>
void stage(ParsedEmail& out, const char* name, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    add_problem(out, std::string(name) + " stopped: " + e.what());
  } catch (...) {
    add_problem(out, std::string(name) + " stopped: unknown error");
  }
}

}  // namespace

ParsedEmail parse_email(std::string_view raw, const ParseLimits& limits) {
  ensure_gmime_initialized();
  ParsedEmail out;
  stage(out, "parse", [&] {
    out.raw_sha256 = crypto::to_hex(crypto::sha256(raw));
    parse_into(raw, limits, out);
  });
  stage(out, "quote stripping", [&] { out.text_without_quote = strip_quote(out.text); });
  stage(out, "auto-reply check", [&] {
    AutoReplyVerdict v = classify_auto_reply(out);
    out.is_auto_reply = v.auto_reply;
    out.is_bounce = v.bounce;
  });
  return out;
}

}  // namespace omnigate::adapters::email
