#include "adapters/email/html_text.h"

#include "adapters/email/gmime_init.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace omnigate::adapters::email {
namespace {

constexpr int kParseOptions = HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER;
// Deeply nested tag soup must not overflow the stack of the tree walk below.
constexpr int kMaxDepth = 200;

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

void ignore_error(void*, const char*, ...) {}
void ignore_structured_error(void*, xmlErrorPtr) {}

// HTML_PARSE_NOERROR does not silence encoding errors, which libxml2 prints
// to stderr through its (per-thread) generic handler: mail is not ours to
// log byte by byte. The previous handlers come back afterwards so other
// libxml2 users on this thread (the WeChat adapter) are unaffected.
class QuietLibxml {
 public:
  QuietLibxml()
      : generic_(xmlGenericError),
        generic_ctx_(xmlGenericErrorContext),
        structured_(xmlStructuredError),
        structured_ctx_(xmlStructuredErrorContext) {
    xmlSetGenericErrorFunc(nullptr, ignore_error);
    xmlSetStructuredErrorFunc(nullptr, ignore_structured_error);
  }
  ~QuietLibxml() {
    xmlSetGenericErrorFunc(generic_ctx_, generic_);
    xmlSetStructuredErrorFunc(structured_ctx_, structured_);
  }
  QuietLibxml(const QuietLibxml&) = delete;
  QuietLibxml& operator=(const QuietLibxml&) = delete;

 private:
  xmlGenericErrorFunc generic_;
  void* generic_ctx_;
  xmlStructuredErrorFunc structured_;
  void* structured_ctx_;
};

DocPtr parse(std::string_view html, const char* encoding) {
  ensure_gmime_initialized();  // xmlInitParser() once, before any thread parses
  QuietLibxml quiet;
  if (html.size() > static_cast<size_t>(INT_MAX)) html = html.substr(0, INT_MAX);
  return DocPtr(htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr, encoding, kParseOptions));
}

bool name_is(const xmlNode* n, const char* name) {
  return n->name && xmlStrcasecmp(n->name, reinterpret_cast<const xmlChar*>(name)) == 0;
}

bool is_one_of(const xmlNode* n, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [n](const char* s) { return name_is(n, s); });
}

std::string attr(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  if (!v) return {};
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

// Builds the text line by line with HTML's whitespace rules (runs collapse
// to one space) except inside <pre>. Line breaks asked for by block elements
// are applied lazily, when the next text arrives, so empty <div>s and
// trailing blocks never pile up blank lines. `quote_` is the <blockquote>
// depth, written as "> " at the start of each line it covers.
class TextWriter {
 public:
  void text(std::string_view s, bool pre) {
    for (char c : s) {
      if (pre && c == '\n') {
        hard_break();
      } else if (!pre && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')) {
        space_ = true;
      } else {
        emit(c);
      }
    }
  }
  // 1: start a new line before the next text; 2: leave a blank line too.
  void want_break(int n) {
    want_ = std::max(want_, n);
    space_ = false;
  }
  // <br>: ends the line; a second one in a row makes a blank line.
  void hard_break() {
    if (has_text_) {
      end_line();
    } else if (want_ == 0) {
      lines_.push_back(prefix(quote_));
    }
    space_ = false;
  }
  void set_quote(int depth) { quote_ = depth; }
  std::string finish() {
    if (has_text_) end_line();
    auto blank = [](const std::string& l) { return l.find_first_not_of("> ") == std::string::npos; };
    while (!lines_.empty() && blank(lines_.back())) lines_.pop_back();
    std::string out;
    bool last_blank = true;  // also drops leading blank lines
    for (const std::string& l : lines_) {
      bool b = blank(l);
      if (b && last_blank) continue;  // at most one blank line in a row
      if (!out.empty()) out += '\n';
      out += l;
      last_blank = b;
    }
    return out;
  }

 private:
  static std::string prefix(int depth) {
    std::string p;
    for (int i = 0; i < depth; ++i) p += ">";
    return p;
  }
  void emit(char c) {
    if (want_ > 0) {
      if (has_text_) end_line();
      // The blank line between two blocks belongs to the outer of the two.
      if (want_ == 2 && !lines_.empty()) lines_.push_back(prefix(std::min(quote_, last_line_quote_)));
      want_ = 0;
    }
    if (!has_text_) {
      line_quote_ = quote_;
      has_text_ = true;
    } else if (space_) {
      line_ += ' ';
    }
    space_ = false;
    line_ += c;
  }
  void end_line() {
    while (!line_.empty() && line_.back() == ' ') line_.pop_back();
    std::string p = prefix(line_quote_);
    lines_.push_back(p.empty() ? line_ : p + " " + line_);
    last_line_quote_ = line_quote_;
    line_.clear();
    has_text_ = false;
    space_ = false;
  }

  std::vector<std::string> lines_;
  std::string line_;
  bool has_text_ = false;
  bool space_ = false;
  int want_ = 0;
  int line_quote_ = 0;
  int last_line_quote_ = 0;
  int quote_ = 0;
};

// Blocks that read as paragraphs get a blank line around them; the rest
// (Gmail and Outlook write every line as a <div>) only a line break.
bool paragraph_like(const xmlNode* n) {
  return is_one_of(n, {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre", "hr", "dl"});
}

bool is_block(const xmlNode* n) {
  return is_one_of(n, {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "tr", "blockquote",
                       "pre", "hr", "section", "article", "header", "footer", "address", "dl", "dt", "dd", "center",
                       "form", "fieldset", "figure", "figcaption", "main", "nav", "aside", "body", "html"});
}

void walk(const xmlNode* node, TextWriter& w, int depth, int quote, bool pre);

void walk_children(const xmlNode* node, TextWriter& w, int depth, int quote, bool pre) {
  for (const xmlNode* c = node->children; c; c = c->next) walk(c, w, depth + 1, quote, pre);
}

void walk(const xmlNode* n, TextWriter& w, int depth, int quote, bool pre) {
  if (depth > kMaxDepth) return;
  if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
    if (n->content) w.text(reinterpret_cast<const char*>(n->content), pre);
    return;
  }
  if (n->type != XML_ELEMENT_NODE) {
    if (n->type == XML_DOCUMENT_NODE || n->type == XML_HTML_DOCUMENT_NODE) walk_children(n, w, depth, quote, pre);
    return;
  }
  // Not content: code, styling, document metadata.
  if (is_one_of(n, {"script", "style", "head", "title", "noscript", "template", "object", "iframe"})) return;
  if (name_is(n, "br")) {
    w.hard_break();
    return;
  }
  if (name_is(n, "img")) {
    // An image in the body says something ("[image: logo]") only if it has alt text.
    std::string alt = attr(n, "alt");
    if (!alt.empty()) w.text("[" + alt + "]", false);
    return;
  }
  int breaks = paragraph_like(n) ? 2 : is_block(n) ? 1 : 0;
  bool is_quote = name_is(n, "blockquote");
  if (breaks) w.want_break(breaks);
  if (is_quote) w.set_quote(quote + 1);
  if (name_is(n, "li")) w.text("- ", true);
  if (name_is(n, "hr")) w.text("---", true);
  if (is_one_of(n, {"td", "th"}) && n->prev) w.text(" ", true);

  walk_children(n, w, depth, is_quote ? quote + 1 : quote, pre || name_is(n, "pre"));

  if (name_is(n, "a")) {
    std::string href = attr(n, "href");
    std::string text_of_link;
    if (xmlChar* c = xmlNodeGetContent(n)) {
      text_of_link = reinterpret_cast<const char*>(c);
      xmlFree(c);
    }
    // Keep the target unless the visible text already is it.
    bool useful = !href.empty() && !href.starts_with("#") && !href.starts_with("javascript:");
    std::string bare = href.starts_with("mailto:") ? href.substr(7) : href;
    if (useful && text_of_link.find(bare) == std::string::npos) w.text(" [" + href + "]", false);
  }
  if (is_quote) w.set_quote(quote);
  if (breaks) w.want_break(breaks);
}

}  // namespace

std::string html_to_text(std::string_view html) {
  // Giving the encoding makes libxml2 ignore <meta charset>: the bytes are
  // UTF-8 already, whatever the meta tag says.
  DocPtr doc = parse(html, "UTF-8");
  if (!doc) return {};
  TextWriter w;
  walk(reinterpret_cast<const xmlNode*>(doc.get()), w, 0, 0, false);
  return w.finish();
}

std::string html_meta_charset(std::string_view html) {
  DocPtr doc = parse(html, nullptr);
  if (!doc || !doc->encoding) return {};
  return reinterpret_cast<const char*>(doc->encoding);
}

}  // namespace omnigate::adapters::email
