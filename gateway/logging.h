#pragma once
// Structured logs: one line per event in logfmt (time=... level=... event=...
// key=value), UTC timestamps, to stderr. q() quotes a value when it needs it.
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace omnigate::gateway {

void init_logging(const std::string& level);
std::string q(std::string_view value);

}  // namespace omnigate::gateway
