#include "gateway/db/pg.h"

#include <algorithm>
#include <charconv>

namespace omnigate::db {

bool PgError::transient() const {
  // 40001 serialization_failure, 40P01 deadlock_detected, class 08 connection
  // exceptions, 57P01 admin_shutdown; empty: the client lost the connection.
  return sqlstate_.empty() || sqlstate_ == "40001" || sqlstate_ == "40P01" ||
         sqlstate_.starts_with("08") || sqlstate_ == "57P01";
}

std::int64_t PgResult::int64(int row, int col) const {
  auto t = text(row, col);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size())
    throw PgError("not an integer: " + std::string(t), "");
  return v;
}

std::int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(r_.get());
  return (n && *n) ? std::stoll(n) : 0;
}

PgConnection::PgConnection(const std::string& conninfo)
    : conn_(PQconnectdb(conninfo.c_str()), &PQfinish) {
  if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
    std::string msg = conn_ ? PQerrorMessage(conn_.get()) : "out of memory";
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    throw PgError("cannot connect to PostgreSQL: " + msg, "");
  }
  // Server NOTICEs ("relation already exists, skipping") are not errors and
  // must not reach stderr between structured log lines.
  PQsetNoticeProcessor(conn_.get(), [](void*, const char*) {}, nullptr);
}

PgResult PgConnection::check(PGresult* r, std::string_view what) {
  PgResult res(r);
  auto st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return res;
  std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_.get());
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  throw PgError(std::string(what) + ": " + msg, state ? state : "");
}

namespace {
struct ParamArrays {
  std::vector<const char*> values;
  explicit ParamArrays(const Params& params) {
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  }
};
}  // namespace

PgResult PgConnection::exec(std::string_view sql, const Params& params) {
  ParamArrays a(params);
  std::string text(sql);
  return check(PQexecParams(conn_.get(), text.c_str(), static_cast<int>(params.size()), nullptr,
                            a.values.data(), nullptr, nullptr, 0),
               "query failed");
}

PgResult PgConnection::exec_prepared(const char* name, std::string_view sql, const Params& params) {
  if (std::find(prepared_.begin(), prepared_.end(), name) == prepared_.end()) {
    std::string text(sql);
    check(PQprepare(conn_.get(), name, text.c_str(), static_cast<int>(params.size()), nullptr),
          "prepare failed");
    prepared_.emplace_back(name);
  }
  ParamArrays a(params);
  return check(PQexecPrepared(conn_.get(), name, static_cast<int>(params.size()), a.values.data(),
                              nullptr, nullptr, 0),
               "query failed");
}

void PgConnection::exec_script(std::string_view sql) {
  std::string text(sql);
  check(PQexec(conn_.get(), text.c_str()), "script failed");
}

Transaction::Transaction(PgConnection& c, std::string_view settings) : c_(c) {
  if (settings.empty()) c_.exec("BEGIN");
  else c_.exec_script("BEGIN; " + std::string(settings));
}

Transaction::~Transaction() {
  if (done_) return;
  try {
    if (c_.healthy()) c_.exec("ROLLBACK");
  } catch (...) {
    // The connection is broken; the server rolls back on its own.
  }
}

void Transaction::commit() {
  done_ = true;
  c_.exec("COMMIT");
}

namespace {
void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  out += '"';
}
}  // namespace

std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    append_quoted(out, items[i]);
  }
  return out + "}";
}

std::string array_literal(const std::vector<std::optional<std::string>>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    if (items[i]) append_quoted(out, *items[i]);
    else out += "NULL";
  }
  return out + "}";
}

std::string array_literal(const std::vector<std::int64_t>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(items[i]);
  }
  return out + "}";
}

std::vector<std::string> parse_text_array(std::string_view lit) {
  std::vector<std::string> out;
  if (lit.size() < 2 || lit.front() != '{' || lit.back() != '}') return out;
  lit = lit.substr(1, lit.size() - 2);
  size_t i = 0;
  while (i < lit.size()) {
    std::string item;
    if (lit[i] == '"') {
      ++i;
      while (i < lit.size() && lit[i] != '"') {
        if (lit[i] == '\\' && i + 1 < lit.size()) ++i;
        item += lit[i++];
      }
      ++i;  // closing quote
    } else {
      while (i < lit.size() && lit[i] != ',') item += lit[i++];
    }
    out.push_back(std::move(item));
    if (i < lit.size() && lit[i] == ',') ++i;
  }
  return out;
}

}  // namespace omnigate::db
