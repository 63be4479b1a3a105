// og_copy_ceiling: the storage ceiling for ingest. Inserts message rows
// straight into PostgreSQL by its fastest path, COPY, in batches, each batch
// its own transaction (so each pays a commit, as each group commit does).
//
//   og_copy_ceiling --conninfo "host=DIR dbname=omnigate user=omnigate"
//                   --rows-file FILE [--batch 512] [--writers 2]
//                   [--table bench_copy_messages] [--result-file PATH]
//
// --rows-file holds rows in COPY text format, one per line, of the columns
// the gateway's og_ingest writes (kColumns below): bench/wechat_ingest.sh
// --dump-rows writes exactly the rows scenario 1 stored. They go into a
// scratch table made LIKE messages INCLUDING ALL (same columns, defaults,
// indexes and unique constraints, no triggers or foreign keys), dropped and
// created afresh by this tool, by --writers connections that take batches
// of --batch rows in turn. Afterwards it checks the table holds every row
// once (count and distinct (channel_id, external_id)) and reports rows/s and
// the per-batch latency.
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/tool_common.h"

namespace {

constexpr const char* kTool = "og_copy_ceiling";
[[noreturn]] void die(const std::string& message) { omnigate::bench::die(kTool, message); }

constexpr const char* kColumns =
    "conversation_id, seq, channel_id, direction, sender_type, sender_id, sender_name, parts, delivery_status, "
    "external_id, metadata, channel_timestamp";

struct Options {
  std::string conninfo;
  std::string rows_file;
  int batch = 512;
  int writers = 2;
  std::string table = "bench_copy_messages";
  std::string result_file;
};

Options parse_args(int argc, char** argv) {
  Options o;
  auto need = [&](int& i) -> std::string {
    if (i + 1 >= argc) die(std::string("missing value for ") + argv[i]);
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--conninfo") o.conninfo = need(i);
    else if (a == "--rows-file") o.rows_file = need(i);
    else if (a == "--batch") o.batch = static_cast<int>(omnigate::bench::number_arg(kTool, a, need(i)));
    else if (a == "--writers") o.writers = static_cast<int>(omnigate::bench::number_arg(kTool, a, need(i)));
    else if (a == "--table") o.table = need(i);
    else if (a == "--result-file") o.result_file = need(i);
    else if (a == "-h" || a == "--help") {
      std::cout << "usage: og_copy_ceiling --conninfo CONNINFO --rows-file FILE [options]\n"
                   "see the comment at the top of bench/copy_ceiling.cpp\n";
      std::exit(0);
    } else {
      die("unknown argument: " + a);
    }
  }
  if (o.conninfo.empty() || o.rows_file.empty()) die("--conninfo and --rows-file are required");
  if (o.batch < 1 || o.writers < 1) die("--batch and --writers must be >= 1");
  if (o.table.empty() || o.table.find_first_not_of("abcdefghijklmnopqrstuvwxyz_0123456789") != std::string::npos)
    die("--table: lower-case letters, digits and _ only");
  return o;
}

using Conn = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

Conn connect(const std::string& conninfo) {
  Conn c(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (PQstatus(c.get()) != CONNECTION_OK) die(std::string("connect: ") + PQerrorMessage(c.get()));
  return c;
}

Result exec(PGconn* c, const std::string& sql, ExecStatusType want) {
  Result r(PQexec(c, sql.c_str()), &PQclear);
  if (PQresultStatus(r.get()) != want) die("`" + sql + "`: " + PQerrorMessage(c));
  return r;
}

// One COPY statement for rows [begin, end): commits on its own (autocommit),
// and PQgetResult returns after the commit, so the batch is durable.
void copy_batch(PGconn* c, const std::string& copy_sql, const std::vector<std::string_view>& rows, size_t begin,
                size_t end) {
  Result start(PQexec(c, copy_sql.c_str()), &PQclear);
  if (PQresultStatus(start.get()) != PGRES_COPY_IN) die("COPY: " + std::string(PQerrorMessage(c)));
  // rows are consecutive lines of one buffer: send the whole span at once
  const char* from = rows[begin].data();
  const char* to = rows[end - 1].data() + rows[end - 1].size() + 1;  // + its newline
  if (PQputCopyData(c, from, static_cast<int>(to - from)) != 1 || PQputCopyEnd(c, nullptr) != 1)
    die("COPY data: " + std::string(PQerrorMessage(c)));
  for (;;) {
    Result r(PQgetResult(c), &PQclear);
    if (!r) break;
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) die("COPY: " + std::string(PQerrorMessage(c)));
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);

  // The rows, each line ending in '\n' (COPY text format escapes newlines
  // inside values, so a line is a row).
  std::ifstream in(o.rows_file, std::ios::binary);
  if (!in) die("cannot read " + o.rows_file);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!data.empty() && data.back() != '\n') data += '\n';
  std::vector<std::string_view> rows;
  for (size_t at = 0; at < data.size();) {
    size_t nl = data.find('\n', at);
    rows.emplace_back(data.data() + at, nl - at);
    at = nl + 1;
  }
  if (rows.empty()) die(o.rows_file + " holds no rows");

  Conn admin = connect(o.conninfo);
  exec(admin.get(), "SET client_min_messages = warning", PGRES_COMMAND_OK);  // no NOTICE for the DROP
  exec(admin.get(), "DROP TABLE IF EXISTS " + o.table, PGRES_COMMAND_OK);
  exec(admin.get(), "CREATE TABLE " + o.table + " (LIKE messages INCLUDING ALL)", PGRES_COMMAND_OK);
  Result sync = exec(admin.get(), "SHOW synchronous_commit", PGRES_TUPLES_OK);
  std::string synchronous_commit = PQgetvalue(sync.get(), 0, 0);

  const std::string copy_sql = "COPY " + o.table + " (" + kColumns + ") FROM STDIN";
  const size_t batch = static_cast<size_t>(o.batch);
  const size_t batches = (rows.size() + batch - 1) / batch;
  std::vector<Conn> conns;
  for (int i = 0; i < o.writers; ++i) conns.push_back(connect(o.conninfo));

  std::atomic<size_t> next{0};
  std::mutex mu;
  std::vector<double> batch_ms;
  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (auto& conn : conns) {
    threads.emplace_back([&, c = conn.get()] {
      std::vector<double> mine;
      for (size_t b; (b = next.fetch_add(1)) < batches;) {
        auto t0 = std::chrono::steady_clock::now();
        copy_batch(c, copy_sql, rows, b * batch, std::min(rows.size(), (b + 1) * batch));
        mine.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      }
      std::lock_guard lk(mu);
      batch_ms.insert(batch_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::sort(batch_ms.begin(), batch_ms.end());

  Result check = exec(admin.get(),
                      "SELECT count(*), count(DISTINCT (channel_id, external_id)), count(*) FILTER (WHERE external_id IS NULL) "
                      "FROM " + o.table,
                      PGRES_TUPLES_OK);
  long long stored = std::atoll(PQgetvalue(check.get(), 0, 0));
  long long distinct = std::atoll(PQgetvalue(check.get(), 0, 1));
  long long without_id = std::atoll(PQgetvalue(check.get(), 0, 2));
  exec(admin.get(), "DROP TABLE " + o.table, PGRES_COMMAND_OK);

  double rate = static_cast<double>(rows.size()) / secs;
  std::cout << "COPY ceiling: " << rows.size() << " rows in " << batches << " batches of " << batch << " on "
            << o.writers << " connections in " << omnigate::bench::fixed(secs, 3) << " s = "
            << omnigate::bench::fixed(rate, 0) << " rows/s; batch p50 "
            << omnigate::bench::fixed(omnigate::bench::percentile(batch_ms, 50)) << " ms, p99 "
            << omnigate::bench::fixed(omnigate::bench::percentile(batch_ms, 99))
            << " ms (synchronous_commit=" << synchronous_commit << ")\n";

  omnigate::bench::ResultFile r;
  r.add("rows", rows.size());
  r.add("stored", stored);
  r.add("distinct", distinct);
  r.add("batches", batches);
  r.add("batch", batch);
  r.add("writers", static_cast<size_t>(o.writers));
  r.add("seconds", secs);
  r.add("rows_per_s", rate, 0);
  r.add("batch_p50_ms", omnigate::bench::percentile(batch_ms, 50));
  r.add("batch_p99_ms", omnigate::bench::percentile(batch_ms, 99));
  r.add("synchronous_commit", synchronous_commit);
  r.write(kTool, o.result_file);

  if (stored != static_cast<long long>(rows.size()) || distinct + without_id != stored) {
    std::cerr << "CHECK FAILED: " << rows.size() << " rows copied, " << stored << " in the table, " << distinct
              << " distinct external ids (+" << without_id << " without one)\n";
    return 1;
  }
  std::cout << "check passed: every row stored once\n";
  return 0;
}
