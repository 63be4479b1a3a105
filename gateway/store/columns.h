#pragma once
// Reading model values out of result columns, one way for every store.
#include <optional>

#include "gateway/db/pg.h"
#include "schema/time.h"

namespace omnigate::store {

// A timestamptz column; a value PostgreSQL printed is always parseable, so a
// failure here is a bug worth an exception, not a silent epoch.
schema::Timestamp timestamp_at(const db::PgResult& r, int row, int col);
std::optional<schema::Timestamp> optional_timestamp_at(const db::PgResult& r, int row, int col);

}  // namespace omnigate::store
