#include "adapters/web/assets.h"

namespace omnigate::adapters::web {

const Asset* find_asset(std::string_view name) {
  for (const auto& a : widget_assets())
    if (a.name == name) return &a;
  return nullptr;
}

}  // namespace omnigate::adapters::web
