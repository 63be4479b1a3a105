#pragma once
// The agent workbench and admin console (workbench/ui/: HTML, CSS and
// JavaScript modules, no build step), compiled into the binary by
// adapters/web/embed_assets.cmake like the web widget, so the gateway
// serves them with nothing installed next to it.
#include <string>
#include <string_view>
#include <vector>

#include "adapters/web/assets.h"

namespace omnigate::workbench {

using adapters::web::Asset;  // name is the path under workbench/ui/: "js/app.js"

const std::vector<Asset>& ui_assets();
// nullptr when the build has no such file.
const Asset* find_ui_asset(std::string_view name);
// 16 hex digits of a SHA-256 over every asset's name and content. The pages
// are served under /workbench/<hash>/, so browsers may keep them for good and
// still pick up a new build at once (index.html itself is never cached).
const std::string& ui_bundle_hash();

}  // namespace omnigate::workbench
