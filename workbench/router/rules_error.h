#pragma once
#include <stdexcept>
#include <string>

namespace omnigate::workbench::router {

// Invalid routing rules. what() is "<JSON path>: <problem>", e.g.
// "rules[1].targets[0].timeout_seconds: must be a non-negative integer", so an
// admin editing the JSON sees exactly which value to fix.
class RulesError : public std::runtime_error {
 public:
  RulesError(const std::string& path, const std::string& problem)
      : std::runtime_error((path.empty() ? std::string("$") : path) + ": " + problem), path_(path) {}

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace omnigate::workbench::router
