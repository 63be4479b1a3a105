#include "workbench/ui_assets.h"

#include "adapters/common/crypto.h"

namespace omnigate::workbench {

const Asset* find_ui_asset(std::string_view name) {
  for (const auto& a : ui_assets())
    if (a.name == name) return &a;
  return nullptr;
}

const std::string& ui_bundle_hash() {
  static const std::string hash = [] {
    std::string all;
    for (const auto& a : ui_assets()) {
      // Length-prefixed, so moving text from one file to the next changes it.
      all += std::to_string(a.name.size()) + ":" + std::string(a.name);
      all += std::to_string(a.body.size()) + ":" + std::string(a.body);
    }
    return crypto::to_hex(crypto::sha256(all)).substr(0, 16);
  }();
  return hash;
}

}  // namespace omnigate::workbench
