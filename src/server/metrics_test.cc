#include "server/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "server/request_metrics.h"

namespace nexus::server {
namespace {

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(MetricsTest, CounterWithLabels) {
  Metrics metrics;
  metrics.IncrementCounter("nexus_rpc_calls_total", "RPC calls.",
                           {{"method", "read"}, {"outcome", "ok"}});
  metrics.IncrementCounter("nexus_rpc_calls_total", "ignored help",
                           {{"outcome", "ok"}, {"method", "read"}}, 2);
  metrics.IncrementCounter("nexus_rpc_calls_total", "",
                           {{"method", "write"}, {"outcome", "error"}});
  EXPECT_EQ(metrics.RenderPrometheus(),
            "# HELP nexus_rpc_calls_total RPC calls.\n"
            "# TYPE nexus_rpc_calls_total counter\n"
            "nexus_rpc_calls_total{method=\"read\",outcome=\"ok\"} 3\n"
            "nexus_rpc_calls_total{method=\"write\",outcome=\"error\"} 1\n");
}

TEST(MetricsTest, UnlabelledCounterAndFractions) {
  Metrics metrics;
  metrics.IncrementCounter("bytes_total", "Bytes.", {}, 0.5);
  EXPECT_EQ(metrics.RenderPrometheus(),
            "# HELP bytes_total Bytes.\n# TYPE bytes_total counter\nbytes_total 0.5\n");
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Metrics metrics;
  metrics.IncrementCounter("c_total", "line1\nback\\slash \"quoted\"", {{"path", "a\"b\\c\nd"}});
  EXPECT_EQ(metrics.RenderPrometheus(),
            "# HELP c_total line1\\nback\\\\slash \"quoted\"\n"
            "# TYPE c_total counter\n"
            "c_total{path=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsTest, RejectsInvalidNamesAndTypeClashes) {
  Metrics metrics;
  metrics.IncrementCounter("bad name", "x");
  metrics.IncrementCounter("9lives", "x");
  metrics.IncrementCounter("ok_total", "x", {{"bad-label", "v"}});
  metrics.IncrementCounter("ok_total", "x", {{"le", "v"}});
  EXPECT_EQ(metrics.RenderPrometheus(), "");
  metrics.IncrementCounter("ok_total", "x");
  metrics.ObserveHistogram("ok_total", "x", {}, 1);  // a counter already: ignored
  EXPECT_EQ(metrics.RenderPrometheus(), "# HELP ok_total x\n# TYPE ok_total counter\nok_total 1\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Metrics metrics;
  metrics.ObserveHistogram("lat_seconds", "Latency.", {{"route", "/health"}}, 0.0004);
  metrics.ObserveHistogram("lat_seconds", "Latency.", {{"route", "/health"}}, 0.003);
  metrics.ObserveHistogram("lat_seconds", "Latency.", {{"route", "/health"}}, 0.5);
  metrics.ObserveHistogram("lat_seconds", "Latency.", {{"route", "/health"}}, 60);
  const std::string text = metrics.RenderPrometheus();
  EXPECT_TRUE(text.starts_with("# HELP lat_seconds Latency.\n# TYPE lat_seconds histogram\n"));
  EXPECT_TRUE(Contains(text, "lat_seconds_bucket{route=\"/health\",le=\"0.0005\"} 1\n"));
  EXPECT_TRUE(Contains(text, "lat_seconds_bucket{route=\"/health\",le=\"0.0025\"} 1\n"));
  EXPECT_TRUE(Contains(text, "lat_seconds_bucket{route=\"/health\",le=\"0.005\"} 2\n"));
  EXPECT_TRUE(Contains(text, "lat_seconds_bucket{route=\"/health\",le=\"0.5\"} 3\n"));
  EXPECT_TRUE(Contains(text, "lat_seconds_bucket{route=\"/health\",le=\"10\"} 3\n"));
  EXPECT_TRUE(Contains(text, "lat_seconds_bucket{route=\"/health\",le=\"+Inf\"} 4\n"));
  EXPECT_TRUE(Contains(text, "lat_seconds_sum{route=\"/health\"} 60.5034\n"));
  EXPECT_TRUE(Contains(text, "lat_seconds_count{route=\"/health\"} 4\n"));
  // One line per bound plus +Inf, _sum and _count.
  size_t lines = 0;
  for (const char c : text) lines += c == '\n';
  EXPECT_EQ(lines, 2 + Metrics::LatencyBuckets().size() + 3);
}

TEST(MetricsTest, GaugeCallbacksRunAtRender) {
  Metrics metrics;
  double depth = 3;
  metrics.AddGaugeCallback("queue_depth", "Depth.", [&depth] { return depth; });
  EXPECT_EQ(metrics.RenderPrometheus(),
            "# HELP queue_depth Depth.\n# TYPE queue_depth gauge\nqueue_depth 3\n");
  depth = 7;
  EXPECT_TRUE(Contains(metrics.RenderPrometheus(), "queue_depth 7\n"));
  metrics.RemoveGaugeCallback("queue_depth");
  EXPECT_EQ(metrics.RenderPrometheus(), "");
}

TEST(MetricsTest, GaugeCallbackMayCountMetrics) {
  Metrics metrics;
  metrics.AddGaugeCallback("g", "G.", [&metrics] {
    metrics.IncrementCounter("renders_total", "Renders.");
    return 1.0;
  });
  metrics.RenderPrometheus();  // must not deadlock
  EXPECT_TRUE(Contains(metrics.RenderPrometheus(), "renders_total 1\n"));
}

TEST(MetricsTest, CounterCallbacksRenderLabelledSeries) {
  Metrics metrics;
  Metrics::Samples samples = {{{{"thread", "a"}}, 2}, {{{"thread", "b"}}, 0}};
  metrics.AddCounterCallback("errors_total", "Errors.", [&samples] { return samples; });
  EXPECT_EQ(metrics.RenderPrometheus(),
            "# HELP errors_total Errors.\n# TYPE errors_total counter\n"
            "errors_total{thread=\"a\"} 2\nerrors_total{thread=\"b\"} 0\n");
  samples.clear();
  EXPECT_EQ(metrics.RenderPrometheus(),
            "# HELP errors_total Errors.\n# TYPE errors_total counter\n");
  metrics.IncrementCounter("errors_total", "Errors.");  // the name is the callback's
  EXPECT_FALSE(Contains(metrics.RenderPrometheus(), "errors_total 1"));
}

TEST(MetricsTest, FamiliesSortedByName) {
  Metrics metrics;
  metrics.IncrementCounter("b_total", "B.");
  metrics.AddGaugeCallback("a_gauge", "A.", [] { return 0.25; });
  const std::string text = metrics.RenderPrometheus();
  EXPECT_LT(text.find("a_gauge 0.25"), text.find("b_total 1"));
}

TEST(MetricsTest, ConcurrentIncrements) {
  Metrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < 1000; ++i) {
        metrics.IncrementCounter("n_total", "N.", {{"k", "v"}});
        metrics.ObserveHistogram("h_seconds", "H.", {}, 0.001);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const std::string text = metrics.RenderPrometheus();
  EXPECT_TRUE(Contains(text, "n_total{k=\"v\"} 8000\n"));
  EXPECT_TRUE(Contains(text, "h_seconds_count 8000\n"));
}

TEST(RequestMetricsTest, RouteLabels) {
  EXPECT_EQ(RouteLabel("/api/nfs/read"), "/api/nfs");
  EXPECT_EQ(RouteLabel("/api/nfs/status"), "/api/nfs");
  EXPECT_EQ(RouteLabel("/api/nfs"), "/api/nfs");
  EXPECT_EQ(RouteLabel("/api/nfsx"), "other");
  EXPECT_EQ(RouteLabel("/api/subscriptions/abc/test"), "/api/subscriptions");
  EXPECT_EQ(RouteLabel("/health"), "/health");
  EXPECT_EQ(RouteLabel("/health/"), "other");
  EXPECT_EQ(RouteLabel("/api/auth/whoami"), "/api/auth/whoami");
  EXPECT_EQ(RouteLabel("/wp-login.php"), "other");
  EXPECT_EQ(RouteLabel(""), "other");
}

TEST(RequestMetricsTest, RecordsCounterAndHistogram) {
  Metrics metrics;
  RequestMetrics requests(metrics);
  requests.Record("/api/nfs/read", 200, 0.002);
  requests.Record("/api/nfs/write", 200, 0.002);
  requests.Record("/wp-login.php", 999, 0.002);  // beyond the cached statuses
  const std::string text = metrics.RenderPrometheus();
  EXPECT_TRUE(Contains(text, "nexus_http_requests_total{route=\"/api/nfs\",status=\"200\"} 2\n"));
  EXPECT_TRUE(Contains(
      text, "nexus_http_request_duration_seconds_bucket{route=\"/api/nfs\",le=\"0.0025\"} 2\n"));
  EXPECT_TRUE(Contains(text, "nexus_http_requests_total{route=\"other\",status=\"999\"} 1\n"));
}

TEST(RequestMetricsTest, ConcurrentRecordsAllCount) {
  Metrics metrics;
  RequestMetrics requests(metrics);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&requests] {
      for (int i = 0; i < 1000; ++i) requests.Record("/health", 200, 0.001);
    });
  }
  for (auto& thread : threads) thread.join();
  const std::string text = metrics.RenderPrometheus();
  EXPECT_TRUE(Contains(text, "nexus_http_requests_total{route=\"/health\",status=\"200\"} 8000\n"));
  EXPECT_TRUE(
      Contains(text, "nexus_http_request_duration_seconds_count{route=\"/health\"} 8000\n"));
}

}  // namespace
}  // namespace nexus::server
