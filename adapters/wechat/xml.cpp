#include "adapters/wechat/xml.h"

#include <libxml/parser.h>  // and dict.h, which is not self-contained
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <cctype>
#include <memory>
#include <mutex>

namespace omnigate::adapters::wechat {
namespace {

constexpr int kMaxDepth = 8;

// libxml2 wants one global initialisation before threads parse concurrently.
void init_libxml_once() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

// Walks the prolog (everything before the root element) and refuses
// anything but the XML declaration, processing instructions, comments and
// whitespace. A DOCTYPE can only live there, so this refuses every DTD
// without false alarms on message text that merely mentions "<!DOCTYPE".
void refuse_dtd_in_prolog(std::string_view doc) {
  size_t i = 0;
  if (doc.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // UTF-8 byte order mark
  while (i < doc.size()) {
    char c = doc[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (doc.substr(i, 2) == "<?") {
      size_t end = doc.find("?>", i + 2);
      if (end == std::string_view::npos) throw XmlError("malformed XML: unterminated processing instruction");
      i = end + 2;
    } else if (doc.substr(i, 4) == "<!--") {
      size_t end = doc.find("-->", i + 4);
      if (end == std::string_view::npos) throw XmlError("malformed XML: unterminated comment");
      i = end + 3;
    } else if (c == '<' && i + 1 < doc.size() && (std::isalpha(static_cast<unsigned char>(doc[i + 1])) ||
                                                    doc[i + 1] == '_' || doc[i + 1] == ':')) {
      return;  // the root element: the prolog is over
    } else if (doc.substr(i, 2) == "<!") {
      throw XmlError("XML with a DOCTYPE is not accepted (no DTDs, no entity declarations)");
    } else {
      throw XmlError("malformed XML: expected an element at offset " + std::to_string(i));
    }
  }
  throw XmlError("malformed XML: no root element");
}

// One parser context per thread, reused from request to request: a fresh
// context per document (its allocations, its name dictionary) was a fifth of
// the cost of a WeChat webhook's parse. xmlCtxtReadMemory resets the context
// before each document, so nothing carries over but the dictionary of
// element names; that one is bounded here, so documents full of made-up
// names cannot grow a worker's memory without end.
xmlParserCtxt* thread_parser_context() {
  constexpr int kMaxDictNames = 4096;
  using Ctxt = std::unique_ptr<xmlParserCtxt, decltype(&xmlFreeParserCtxt)>;
  thread_local Ctxt ctxt(nullptr, &xmlFreeParserCtxt);
  if (ctxt && ctxt->dict && xmlDictSize(ctxt->dict) > kMaxDictNames) ctxt.reset();
  if (!ctxt) ctxt.reset(xmlNewParserCtxt());
  if (!ctxt) throw std::runtime_error("libxml2: cannot allocate a parser context");
  return ctxt.get();
}

std::string name_of(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }

bool has_element_children(const xmlNode* n) {
  for (const xmlNode* c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) return true;
  return false;
}

std::string text_of(const xmlNode* n) {
  std::string out;
  for (const xmlNode* c = n->children; c; c = c->next)
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
      out += reinterpret_cast<const char*>(c->content);
  return out;
}

void collect(const xmlNode* parent, const std::string& prefix, int depth, XmlFields& out) {
  if (depth > kMaxDepth) throw XmlError("XML nests deeper than " + std::to_string(kMaxDepth) + " levels");
  for (const xmlNode* c = parent->children; c; c = c->next) {
    if (c->type == XML_ENTITY_REF_NODE) throw XmlError("XML entity references are not accepted");
    if (c->type != XML_ELEMENT_NODE) continue;
    std::string key = prefix.empty() ? name_of(c) : prefix + "." + name_of(c);
    if (has_element_children(c))
      collect(c, key, depth + 1, out);
    else
      out.add(std::move(key), text_of(c));
  }
}

}  // namespace

std::optional<std::string> XmlFields::find(std::string_view key) const {
  for (const auto& [k, v] : entries_)
    if (k == key) return v;
  return std::nullopt;
}

std::string XmlFields::get(std::string_view key) const { return find(key).value_or(std::string()); }

XmlFields parse_xml(std::string_view document) {
  if (document.empty()) throw XmlError("empty body: expected an XML document");
  if (document.size() > kMaxXmlBytes) throw XmlError("XML document is larger than 1 MiB");
  // WeChat never sends a DTD. Refusing one before libxml2 sees it means no
  // entity is ever declared, so none can be expanded (billion laughs) or
  // fetched (XXE). The prolog check also admits only documents whose bytes
  // start ASCII-compatible (UTF-16, UCS-4 or EBCDIC fail it), and
  // XML_PARSE_IGNORE_ENC below makes libxml2 read them as UTF-8 whatever
  // their declaration says (refusing bytes that are not UTF-8), so a
  // document cannot hide the declaration in another encoding; the intSubset
  // check after parsing is a second line. (Naming "UTF-8" as the encoding
  // instead would do the same through a converter that copies every byte,
  // a quarter of the parse.)
  refuse_dtd_in_prolog(document);

  init_libxml_once();
  xmlParserCtxt* ctxt = thread_parser_context();
  // NONET: never touch the network; NOCDATA: CDATA merges into text.
  // Deliberately absent: NOENT (substitute entities), DTDLOAD, DTDATTR,
  // HUGE (lifts libxml2's own size limits).
  const int options =
      XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC;
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
      xmlCtxtReadMemory(ctxt, document.data(), static_cast<int>(document.size()), nullptr, nullptr, options),
      &xmlFreeDoc);
  if (!doc) {
    const xmlError* e = xmlCtxtGetLastError(ctxt);
    std::string why = e && e->message ? e->message : "not well-formed";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    throw XmlError("malformed XML" + (e ? " (line " + std::to_string(e->line) + ")" : std::string()) + ": " + why);
  }
  if (doc->intSubset || doc->extSubset) throw XmlError("XML with a DOCTYPE is not accepted");
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!root || name_of(root) != "xml") throw XmlError("XML root element must be <xml>");
  XmlFields out;
  collect(root, "", 1, out);
  return out;
}

std::string cdata(std::string_view text) {
  std::string out = "<![CDATA[";
  out.reserve(text.size() + 12);
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') continue;
    // "]]>" would close the section: end it after "]]" and open a new one
    // that starts with ">", which the reader joins back into "]]>".
    if (c == ']' && text.substr(i, 3) == "]]>") {
      out += "]]]]><![CDATA[>";
      i += 2;
      continue;
    }
    out += static_cast<char>(c);
  }
  out += "]]>";
  return out;
}

XmlBuilder& XmlBuilder::text(std::string_view key, std::string_view value) {
  body_ += "<" + std::string(key) + ">" + cdata(value) + "</" + std::string(key) + ">";
  return *this;
}

XmlBuilder& XmlBuilder::number(std::string_view key, std::int64_t value) {
  body_ += "<" + std::string(key) + ">" + std::to_string(value) + "</" + std::string(key) + ">";
  return *this;
}

XmlBuilder& XmlBuilder::nested_text(std::string_view key, std::string_view inner_key, std::string_view value) {
  body_ += "<" + std::string(key) + "><" + std::string(inner_key) + ">" + cdata(value) + "</" +
           std::string(inner_key) + "></" + std::string(key) + ">";
  return *this;
}

}  // namespace omnigate::adapters::wechat
