#include "adapters/common/connection_check.h"

#include <chrono>
#include <exception>

namespace omnigate::adapters {

ConnectionCheck run_check(std::string name, const std::function<CheckOutcome()>& step) {
  ConnectionCheck check;
  check.name = std::move(name);
  auto start = std::chrono::steady_clock::now();
  try {
    CheckOutcome outcome = step();
    check.ok = outcome.ok;
    check.detail = std::move(outcome.detail);
  } catch (const std::exception& e) {
    check.ok = false;
    check.detail = e.what();
  }
  check.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return check;
}

}  // namespace omnigate::adapters
