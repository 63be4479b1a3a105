#pragma once
// What a store refuses for a reason the caller can fix (an unknown team, a
// login that is taken), by kind, so the HTTP front answers 400/404/409 the
// same way for every route instead of each route translating.
#include <stdexcept>
#include <string>

namespace omnigate::store {

class StoreError : public std::runtime_error {
 public:
  enum class Kind { invalid, not_found, conflict };
  StoreError(Kind kind, std::string code, const std::string& message)
      : std::runtime_error(message), kind_(kind), code_(std::move(code)) {}
  Kind kind() const { return kind_; }
  const std::string& code() const { return code_; }

 private:
  Kind kind_;
  std::string code_;
};

}  // namespace omnigate::store
