#pragma once
// Applies schema/migrations in version order, each in its own transaction and
// recorded in schema_migrations. A session advisory lock serialises concurrent
// runs (two nodes starting at once), so running it twice or from two
// processes together applies each migration exactly once.
#include "gateway/db/pg.h"

namespace omnigate::db {

struct MigrationStatus {
  int applied = 0;  // newest version recorded in the database
  int latest = 0;   // newest version this binary knows
  bool current() const { return applied == latest; }
};

// Returns how many migrations this call applied. Throws PgError.
int apply_migrations(PgConnection& c);
MigrationStatus migration_status(PgConnection& c);

}  // namespace omnigate::db
