#include "adapters/email/text_to_html.h"

#include <vector>

namespace omnigate::adapters::email {
namespace {

void append_escaped_line(std::string& out, std::string_view line) {
  bool previous_space = false;
  for (char c : line) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\t': out += "&nbsp;&nbsp;&nbsp;&nbsp;"; break;
      case ' ':
        // HTML collapses spaces: every second one of a run stays visible.
        out += previous_space ? "&nbsp;" : " ";
        break;
      default: out.push_back(c);
    }
    previous_space = c == ' ' && !previous_space;
  }
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (true) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

bool blank(std::string_view line) { return line.find_first_not_of(" \t") == std::string_view::npos; }

}  // namespace

std::string text_to_html(std::string_view text) {
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n"
      "<body style=\"font-family: sans-serif; font-size: 14px; line-height: 1.5\">\n";
  bool in_paragraph = false;
  for (std::string_view line : split_lines(text)) {
    if (blank(line)) {
      if (in_paragraph) out += "</p>\n";
      in_paragraph = false;
      continue;
    }
    out += in_paragraph ? "<br>\n" : "<p>";
    in_paragraph = true;
    append_escaped_line(out, line);
  }
  if (in_paragraph) out += "</p>\n";
  out += "</body></html>\n";
  return out;
}

}  // namespace omnigate::adapters::email
