#pragma once
// The embeddable chat widget (adapters/web/widget/), compiled into the binary.
#include <string_view>
#include <vector>

namespace omnigate::adapters::web {

struct Asset {
  std::string_view name;          // "widget.js", "widget.css", "demo.html"
  std::string_view content_type;
  std::string_view body;
};

const std::vector<Asset>& widget_assets();
// nullptr when the build has no such file.
const Asset* find_asset(std::string_view name);

}  // namespace omnigate::adapters::web
