#pragma once
// LIKE patterns from user input, with LIKE's own wildcards escaped so a
// search for "50%" means those characters, not "50 and anything".
#include <string>
#include <string_view>

namespace omnigate::store {

// "ab%" -> "ab\%%": rows starting with the text (default escape character \).
std::string like_prefix(std::string_view text);

}  // namespace omnigate::store
