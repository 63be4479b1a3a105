#pragma once
// The XML WeChat speaks: flat <xml><Key><![CDATA[value]]></Key>...</xml>
// documents (a few events nest one or two levels, e.g. ScanCodeInfo).
// Parsing goes through libxml2 with network access, DTD loading and entity
// substitution off, and any document carrying a DOCTYPE is refused outright:
// a billion-laughs bomb or an external entity (file:///etc/passwd) is never
// expanded, fetched or even declared.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace omnigate::adapters::wechat {

class XmlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Fields in document order. Nested elements are flattened with dotted keys
// ("ScanCodeInfo.ScanType"); a repeated element keeps every occurrence.
class XmlFields {
 public:
  using Entry = std::pair<std::string, std::string>;

  void add(std::string key, std::string value) { entries_.emplace_back(std::move(key), std::move(value)); }
  // First value of key, or "" / nullopt when absent.
  std::string get(std::string_view key) const;
  std::optional<std::string> find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key).has_value(); }
  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<Entry> entries_;
};

inline constexpr size_t kMaxXmlBytes = 1 << 20;

// Parses a callback document whose root is <xml>. Throws XmlError with a
// message fit for the 400 answer.
XmlFields parse_xml(std::string_view document);

// CDATA section holding text exactly: a "]]>" inside is split across two
// sections, and characters XML 1.0 forbids (C0 controls other than tab, CR,
// LF) are dropped, so any input yields a well-formed document.
std::string cdata(std::string_view text);

// Builds a flat reply document: <xml><Key>...</Key>...</xml>.
class XmlBuilder {
 public:
  XmlBuilder& text(std::string_view key, std::string_view value);  // as CDATA
  XmlBuilder& number(std::string_view key, std::int64_t value);    // bare digits
  // <key><inner_key>CDATA</inner_key></key>, e.g. <Image><MediaId>.
  XmlBuilder& nested_text(std::string_view key, std::string_view inner_key, std::string_view value);
  std::string str() const { return "<xml>" + body_ + "</xml>"; }

 private:
  std::string body_;
};

}  // namespace omnigate::adapters::wechat
