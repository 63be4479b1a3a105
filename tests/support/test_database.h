#pragma once
// A real PostgreSQL for tests: one private cluster per test process (the
// gateway's own embedded-cluster code, in a temporary directory, removed at
// exit), and a fresh empty database per call to fresh_database().
#include <string>

namespace omnigate::testing {

// libpq connection string of a new, empty database with migrations applied
// when `migrate` is true.
std::string fresh_database(bool migrate = true);
// The same database as a postgres:// URL-less key/value string is fine for
// --db; this returns the cluster's socket directory for tools that need it.
std::string cluster_socket_dir();

}  // namespace omnigate::testing
