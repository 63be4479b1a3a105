#include "gateway/store/columns.h"

namespace omnigate::store {

schema::Timestamp timestamp_at(const db::PgResult& r, int row, int col) {
  auto t = schema::parse_timestamp(r.text(row, col));
  if (!t) throw db::PgError("unreadable timestamp from the database: " + r.str(row, col), "");
  return *t;
}

std::optional<schema::Timestamp> optional_timestamp_at(const db::PgResult& r, int row, int col) {
  if (r.is_null(row, col)) return std::nullopt;
  return timestamp_at(r, row, col);
}

}  // namespace omnigate::store
