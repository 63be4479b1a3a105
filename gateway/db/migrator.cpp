#include "gateway/db/migrator.h"

#include "schema/migrations.h"

namespace omnigate::db {
namespace {

// Arbitrary constant that names "omnigate migrations" among advisory locks.
constexpr const char* kLockKey = "7316238841009125501";

int latest_known() {
  const auto& all = schema::migrations();
  return all.empty() ? 0 : all.back().version;
}

}  // namespace

int apply_migrations(PgConnection& c) {
  c.exec("SELECT pg_advisory_lock($1::bigint)", {kLockKey});
  int count = 0;
  try {
    c.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY, name text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    for (const auto& m : schema::migrations()) {
      auto done = c.exec("SELECT 1 FROM schema_migrations WHERE version = $1",
                         {std::to_string(m.version)});
      if (done.rows() > 0) continue;
      Transaction tx(c);
      c.exec_script(m.sql);
      c.exec("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
             {std::to_string(m.version), std::string(m.name)});
      tx.commit();
      ++count;
    }
  } catch (...) {
    if (c.healthy()) c.exec("SELECT pg_advisory_unlock($1::bigint)", {kLockKey});
    throw;
  }
  c.exec("SELECT pg_advisory_unlock($1::bigint)", {kLockKey});
  return count;
}

MigrationStatus migration_status(PgConnection& c) {
  MigrationStatus s;
  s.latest = latest_known();
  auto exists = c.exec("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (!exists.boolean(0, 0)) return s;
  auto r = c.exec("SELECT coalesce(max(version), 0) FROM schema_migrations");
  s.applied = static_cast<int>(r.int64(0, 0));
  return s;
}

}  // namespace omnigate::db
