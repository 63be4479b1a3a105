#pragma once
// A skill a target requires, possibly filled in from the conversation:
// "lang:{language}" requires the skill "lang:zh" of a conversation whose
// contact has language "zh". Filters after '|' shape the value:
//   lower    ASCII lower case               ("zh-CN" -> "zh-cn")
//   primary  the part before the first - or _ ("zh-CN" -> "zh")
// e.g. "lang:{language|primary|lower}". A template naming an attribute the
// conversation lacks is left out (no language known -> no language required).
#include <optional>
#include <string>
#include <vector>

#include "workbench/router/types.h"

namespace omnigate::workbench::router {

class SkillTemplate {
 public:
  // Throws RulesError at `path` for an empty text, unbalanced braces, an
  // empty or "tags" attribute name, or an unknown filter.
  static SkillTemplate parse(const std::string& text, const std::string& path);

  const std::string& text() const { return text_; }
  // The skill for this conversation, or nullopt when an attribute is missing.
  std::optional<std::string> expand(const WaitingConversation& conversation) const;

  bool operator==(const SkillTemplate& other) const { return text_ == other.text_; }

 private:
  struct Piece {
    bool is_reference = false;
    std::string text;  // the literal text, or the attribute name
    std::vector<std::string> filters;
  };

  std::string text_;
  std::vector<Piece> pieces_;
};

}  // namespace omnigate::workbench::router
