#include "gateway/metrics.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace omnigate::gateway {
namespace {

bool contains(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(Counter, StartsAtZeroAndIncreases) {
  Counter c;
  EXPECT_EQ(c.value(), 0u);
  c.inc();
  EXPECT_EQ(c.value(), 1u);
  c.inc(41);
  EXPECT_EQ(c.value(), 42u);
}

TEST(Counter, ConcurrentIncrementsAreNotLost) {
  Counter c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) c.inc();
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(c.value(), 40000u);
}

TEST(Metrics, SameNameAndLabelsReturnTheSameCounter) {
  Metrics m;
  Counter& a = m.counter("og_requests_total", "Requests.", R"(route="/x")");
  Counter& b = m.counter("og_requests_total", "Requests.", R"(route="/x")");
  Counter& other = m.counter("og_requests_total", "Requests.", R"(route="/y")");
  Counter& unlabelled = m.counter("og_requests_total", "Requests.");
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &other);
  EXPECT_NE(&a, &unlabelled);
  a.inc();
  b.inc(2);
  other.inc(5);
  EXPECT_EQ(a.value(), 3u);
  EXPECT_EQ(other.value(), 5u);
  EXPECT_EQ(unlabelled.value(), 0u);
  // Creating more counters must not move the existing ones.
  for (int i = 0; i < 100; ++i) m.counter("og_requests_total", "Requests.", "i=\"" + std::to_string(i) + "\"");
  EXPECT_EQ(&m.counter("og_requests_total", "Requests.", R"(route="/x")"), &a);
  EXPECT_EQ(a.value(), 3u);
}

TEST(Metrics, RenderCounters) {
  Metrics m;
  m.counter("og_requests_total", "HTTP requests served.", R"(route="/healthz",status="200")").inc(3);
  m.counter("og_requests_total", "HTTP requests served.", R"(route="/v1/hooks",status="401")").inc();
  m.counter("og_restarts_total", "Restarts.").inc(7);
  std::string out = m.render();
  EXPECT_TRUE(contains(out, "# HELP og_requests_total HTTP requests served.\n")) << out;
  EXPECT_TRUE(contains(out, "# TYPE og_requests_total counter\n")) << out;
  EXPECT_TRUE(contains(out, "og_requests_total{route=\"/healthz\",status=\"200\"} 3\n")) << out;
  EXPECT_TRUE(contains(out, "og_requests_total{route=\"/v1/hooks\",status=\"401\"} 1\n")) << out;
  EXPECT_TRUE(contains(out, "# HELP og_restarts_total Restarts.\n# TYPE og_restarts_total counter\n")) << out;
  EXPECT_TRUE(contains(out, "\nog_restarts_total 7\n")) << out;
  // One HELP/TYPE pair per family, not per label set.
  size_t helps = 0;
  for (const auto& l : lines(out)) helps += l.rfind("# HELP og_requests_total", 0) == 0;
  EXPECT_EQ(helps, 1u);
}

TEST(Histogram, BucketsAreCumulativeWithCountAndSum) {
  Histogram h({0.1, 1, 10});
  h.observe(0.05);  // <= 0.1
  h.observe(0.1);   // on the bound: still <= 0.1
  h.observe(0.5);   // <= 1
  h.observe(2);     // <= 10
  h.observe(20);    // +Inf only
  std::string out = h.render("og_latency_seconds", "");
  EXPECT_EQ(out,
            "og_latency_seconds_bucket{le=\"0.1\"} 2\n"
            "og_latency_seconds_bucket{le=\"1\"} 3\n"
            "og_latency_seconds_bucket{le=\"10\"} 4\n"
            "og_latency_seconds_bucket{le=\"+Inf\"} 5\n"
            "og_latency_seconds_sum 22.65\n"
            "og_latency_seconds_count 5\n");
}

TEST(Histogram, RenderWithLabels) {
  Histogram h({0.5});
  h.observe(0.25);
  h.observe(0.25);
  h.observe(1);
  std::string out = h.render("og_db_seconds", R"(op="insert")");
  EXPECT_EQ(out,
            "og_db_seconds_bucket{op=\"insert\",le=\"0.5\"} 2\n"
            "og_db_seconds_bucket{op=\"insert\",le=\"+Inf\"} 3\n"
            "og_db_seconds_sum{op=\"insert\"} 1.5\n"
            "og_db_seconds_count{op=\"insert\"} 3\n");
}

TEST(Histogram, EmptyRendersZeros) {
  Histogram h({1});
  EXPECT_EQ(h.render("x", ""), "x_bucket{le=\"1\"} 0\nx_bucket{le=\"+Inf\"} 0\nx_sum 0\nx_count 0\n");
}

TEST(Histogram, LatencyBucketsAreSortedFrom100usTo10s) {
  auto b = latency_buckets();
  ASSERT_FALSE(b.empty());
  EXPECT_DOUBLE_EQ(b.front(), 0.0001);
  EXPECT_DOUBLE_EQ(b.back(), 10);
  for (size_t i = 1; i < b.size(); ++i) EXPECT_LT(b[i - 1], b[i]);
}

TEST(Metrics, HistogramFamilyRender) {
  Metrics m;
  Histogram& h = m.histogram("og_ingest_seconds", "Ingest latency.", R"(channel="webhook")", {0.01, 0.1});
  EXPECT_EQ(&h, &m.histogram("og_ingest_seconds", "Ingest latency.", R"(channel="webhook")", {0.01, 0.1}));
  h.observe(0.005);
  h.observe(0.05);
  std::string out = m.render();
  EXPECT_TRUE(contains(out, "# HELP og_ingest_seconds Ingest latency.\n# TYPE og_ingest_seconds histogram\n")) << out;
  EXPECT_TRUE(contains(out, "og_ingest_seconds_bucket{channel=\"webhook\",le=\"0.01\"} 1\n")) << out;
  EXPECT_TRUE(contains(out, "og_ingest_seconds_bucket{channel=\"webhook\",le=\"0.1\"} 2\n")) << out;
  EXPECT_TRUE(contains(out, "og_ingest_seconds_bucket{channel=\"webhook\",le=\"+Inf\"} 2\n")) << out;
  EXPECT_TRUE(contains(out, "og_ingest_seconds_count{channel=\"webhook\"} 2\n")) << out;
  EXPECT_TRUE(contains(out, "og_ingest_seconds_sum{channel=\"webhook\"} 0.055\n")) << out;
}

TEST(Metrics, DefaultHistogramUsesLatencyBuckets) {
  Metrics m;
  m.histogram("og_x_seconds", "X.").observe(0.003);
  std::string out = m.render();
  size_t buckets = 0;
  for (const auto& l : lines(out)) buckets += l.rfind("og_x_seconds_bucket", 0) == 0;
  EXPECT_EQ(buckets, latency_buckets().size() + 1);
  EXPECT_TRUE(contains(out, "og_x_seconds_bucket{le=\"0.0025\"} 0\n")) << out;
  EXPECT_TRUE(contains(out, "og_x_seconds_bucket{le=\"0.005\"} 1\n")) << out;
}

TEST(Metrics, GaugesAreReadAtRenderTime) {
  Metrics m;
  double connections = 3;
  m.gauge("og_ws_connections", "Open WebSocket connections.", [&] { return connections; });
  std::string out = m.render();
  EXPECT_TRUE(contains(out, "# HELP og_ws_connections Open WebSocket connections.\n")) << out;
  EXPECT_TRUE(contains(out, "# TYPE og_ws_connections gauge\n")) << out;
  EXPECT_TRUE(contains(out, "\nog_ws_connections 3\n")) << out;
  connections = 12.5;
  out = m.render();
  EXPECT_TRUE(contains(out, "\nog_ws_connections 12.5\n")) << out;
  EXPECT_FALSE(contains(out, "og_ws_connections 3\n")) << out;
}

TEST(Metrics, RenderOfEmptyRegistryIsEmpty) {
  Metrics m;
  EXPECT_EQ(m.render(), "");
}

TEST(Metrics, EveryFamilyHasHelpThenTypeBeforeSamples) {
  Metrics m;
  m.counter("b_total", "B.").inc();
  m.gauge("a_value", "A.", [] { return 1.0; });
  m.histogram("c_seconds", "C.", "", {1}).observe(0.5);
  auto ls = lines(m.render());
  std::string current;
  for (size_t i = 0; i < ls.size(); ++i) {
    if (ls[i].rfind("# HELP ", 0) == 0) {
      std::string name = ls[i].substr(7, ls[i].find(' ', 7) - 7);
      ASSERT_LT(i + 1, ls.size());
      EXPECT_EQ(ls[i + 1].rfind("# TYPE " + name + " ", 0), 0u) << ls[i + 1];
      current = name;
      ++i;
      continue;
    }
    ASSERT_FALSE(current.empty()) << "sample before any HELP: " << ls[i];
    EXPECT_EQ(ls[i].rfind(current, 0), 0u) << ls[i] << " under " << current;
  }
  EXPECT_EQ(current, "c_seconds");  // families are rendered in name order
}

}  // namespace
}  // namespace omnigate::gateway
