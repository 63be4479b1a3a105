#include "gateway/store/search_pattern.h"

namespace omnigate::store {

std::string like_prefix(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  for (char ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + '%';
}

}  // namespace omnigate::store
