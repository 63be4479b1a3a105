#pragma once
// A thin RAII layer over libpq. Every statement is parameterised ($1, $2...):
// values travel separately from SQL text, so no input is ever spliced into SQL.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

namespace omnigate::db {

// A failed statement or connection. `sqlstate` is PostgreSQL's five-character
// code ("23505" unique violation, "40P01" deadlock...), empty for client-side
// failures such as a lost connection.
class PgError : public std::runtime_error {
 public:
  PgError(std::string message, std::string sqlstate)
      : std::runtime_error(std::move(message)), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  // Worth retrying the whole transaction: deadlock, serialization failure,
  // or the connection went away.
  bool transient() const;

 private:
  std::string sqlstate_;
};

// A text-format parameter; nullopt is SQL NULL.
using Param = std::optional<std::string>;
using Params = std::vector<Param>;

class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r, &PQclear) {}
  int rows() const { return PQntuples(r_.get()); }
  int columns() const { return PQnfields(r_.get()); }
  bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string_view text(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<size_t>(PQgetlength(r_.get(), row, col))};
  }
  std::string str(int row, int col) const { return std::string(text(row, col)); }
  std::int64_t int64(int row, int col) const;
  bool boolean(int row, int col) const { return text(row, col) == "t"; }
  std::optional<std::string> optional_str(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return str(row, col);
  }
  // Number of rows an INSERT/UPDATE/DELETE touched.
  std::int64_t affected() const;

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> r_;
};

class PgConnection {
 public:
  // conninfo: a postgres:// URL or key=value string. Throws PgError.
  explicit PgConnection(const std::string& conninfo);
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  PgResult exec(std::string_view sql, const Params& params = {});
  // Statements run often (ingest) are prepared once per connection by name.
  PgResult exec_prepared(const char* name, std::string_view sql, const Params& params);
  // Runs a script of several statements without parameters (migrations only).
  void exec_script(std::string_view sql);
  bool healthy() const { return PQstatus(conn_.get()) == CONNECTION_OK; }
  PGconn* raw() { return conn_.get(); }

 private:
  PgResult check(PGresult* r, std::string_view what);
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
  std::vector<std::string> prepared_;
};

// BEGIN on construction, ROLLBACK on destruction unless commit() was called.
// `settings` (e.g. "SET LOCAL ...") are sent with the BEGIN, in one round trip.
class Transaction {
 public:
  explicit Transaction(PgConnection& c, std::string_view settings = {});
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  PgConnection& c_;
  bool done_ = false;
};

// Helpers for the text forms of PostgreSQL arrays passed as one parameter
// ("{a,b}" with every element quoted and escaped).
std::string array_literal(const std::vector<std::string>& items);
std::string array_literal(const std::vector<std::int64_t>& items);
std::string array_literal(const std::vector<std::optional<std::string>>& items);
// Parses a one-dimensional text[] / bigint[] value as PostgreSQL prints it.
std::vector<std::string> parse_text_array(std::string_view literal);

}  // namespace omnigate::db
