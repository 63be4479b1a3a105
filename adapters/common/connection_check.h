#pragma once
// Runs one step of an adapter's connection test (Adapter::test_connection)
// and times it. The step answers what it reached ({true, "..."}) or what went
// wrong ({false, "..."}); an exception it throws (a TokenError, an
// ImapError, an AdapterError for an unusable config) is a failed check with
// the exception's text, which the clients keep free of secrets.
#include <functional>
#include <string>

#include "adapters/adapter.h"

namespace omnigate::adapters {

struct CheckOutcome {
  bool ok = false;
  std::string detail;
};

ConnectionCheck run_check(std::string name, const std::function<CheckOutcome()>& step);

}  // namespace omnigate::adapters
