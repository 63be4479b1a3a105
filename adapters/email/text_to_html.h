#pragma once
// An agent's plain-text reply as the text/html alternative of the mail:
// escaped (the text is never trusted as markup), a blank line starts a new
// <p>, a single line break becomes <br>, and runs of spaces keep their width
// so hand-aligned lines survive. Nothing else is interpreted: no links, no
// markdown, no styles beyond a readable default font.
#include <string>
#include <string_view>

namespace omnigate::adapters::email {

// A complete UTF-8 HTML document (<!DOCTYPE html>, <meta charset="utf-8">).
std::string text_to_html(std::string_view text);

}  // namespace omnigate::adapters::email
