#include <gtest/gtest.h>

#include <thread>

#include "gateway/db/migrator.h"
#include "schema/migrations.h"
#include "tests/support/test_database.h"

using namespace omnigate;

TEST(Migrator, AppliesEverythingOnceAndIsIdempotent) {
  std::string db = omnigate::testing::fresh_database(/*migrate=*/false);
  db::PgConnection c(db);
  EXPECT_FALSE(db::migration_status(c).current());
  int total = static_cast<int>(schema::migrations().size());
  EXPECT_EQ(db::apply_migrations(c), total);
  EXPECT_EQ(db::apply_migrations(c), 0);
  auto status = db::migration_status(c);
  EXPECT_TRUE(status.current());
  EXPECT_EQ(status.applied, schema::migrations().back().version);
  EXPECT_EQ(c.exec("SELECT count(*) FROM schema_migrations").int64(0, 0), total);
}

TEST(Migrator, TwoProcessesAtOnceApplyEachMigrationOnce) {
  std::string db = omnigate::testing::fresh_database(/*migrate=*/false);
  int applied[4] = {};
  std::vector<std::thread> runners;
  for (int i = 0; i < 4; ++i)
    runners.emplace_back([&, i] {
      db::PgConnection c(db);  // one session each, as separate nodes would have
      applied[i] = db::apply_migrations(c);
    });
  for (auto& t : runners) t.join();
  int total = static_cast<int>(schema::migrations().size());
  EXPECT_EQ(applied[0] + applied[1] + applied[2] + applied[3], total);
  db::PgConnection c(db);
  EXPECT_EQ(c.exec("SELECT count(*) FROM schema_migrations").int64(0, 0), total);
  EXPECT_TRUE(db::migration_status(c).current());
}
