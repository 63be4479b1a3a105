#include "workbench/router/skill_template.h"

#include <cctype>

#include "workbench/router/attributes.h"
#include "workbench/router/rules_error.h"

namespace omnigate::workbench::router {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::string apply_filter(const std::string& filter, std::string value) {
  if (filter == "lower") {
    for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  } else if (filter == "primary") {
    value = value.substr(0, value.find_first_of("-_"));
  }
  return value;
}

}  // namespace

SkillTemplate SkillTemplate::parse(const std::string& text, const std::string& path) {
  if (text.empty()) throw RulesError(path, "must be a non-empty string");
  SkillTemplate t;
  t.text_ = text;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find('{', pos);
    const std::size_t stray_close = text.find('}', pos);
    if (stray_close < open) throw RulesError(path, "unbalanced '}' in \"" + text + "\"");
    if (open > pos) t.pieces_.push_back({false, text.substr(pos, open == std::string::npos ? open : open - pos), {}});
    if (open == std::string::npos) break;
    const std::size_t close = text.find('}', open);
    if (close == std::string::npos || text.find('{', open + 1) < close) {
      throw RulesError(path, "unbalanced '{' in \"" + text + "\"");
    }
    std::vector<std::string> parts = split(text.substr(open + 1, close - open - 1), '|');
    Piece ref{true, parts.front(), {parts.begin() + 1, parts.end()}};
    if (ref.text.empty()) throw RulesError(path, "empty attribute name in \"" + text + "\"");
    if (ref.text == kTagsAttribute) throw RulesError(path, "tags cannot be used in a skill template");
    for (const std::string& filter : ref.filters) {
      if (filter != "lower" && filter != "primary") {
        throw RulesError(path, "unknown filter \"" + filter + "\" (use lower or primary)");
      }
    }
    t.pieces_.push_back(std::move(ref));
    pos = close + 1;
  }
  return t;
}

std::optional<std::string> SkillTemplate::expand(const WaitingConversation& conversation) const {
  std::string out;
  for (const Piece& piece : pieces_) {
    if (!piece.is_reference) {
      out += piece.text;
      continue;
    }
    std::optional<std::string> value = attribute_of(conversation, piece.text);
    if (!value || value->empty()) return std::nullopt;
    for (const std::string& filter : piece.filters) *value = apply_filter(filter, std::move(*value));
    if (value->empty()) return std::nullopt;
    out += *value;
  }
  return out;
}

}  // namespace omnigate::workbench::router
