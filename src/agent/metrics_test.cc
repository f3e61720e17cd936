#include "agent/metrics.h"

#include <gtest/gtest.h>

namespace edgerun::agent {
namespace {

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Histogram h({1.0, 2.0});
  h.Observe(0.5);
  h.Observe(1.5);
  h.Observe(5.0);
  std::string out;
  h.Render("x", &out);
  EXPECT_NE(out.find("x_bucket{le=\"1\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_bucket{le=\"2\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find("x_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(out.find("x_sum 7\n"), std::string::npos);
  EXPECT_NE(out.find("x_count 3\n"), std::string::npos);
}

TEST(MetricsTest, LabeledCountersAndRenderedFamilies) {
  AgentMetrics m;
  m.outbox_drops.Inc("drop_oldest", 3);
  m.outbox_drops.Inc("no_such_reason");
  EXPECT_EQ(m.outbox_drops.value("drop_oldest"), 3u);
  EXPECT_EQ(m.outbox_drops.value("other"), 1u);
  m.model = "m\"q";
  GaugeSnapshot g;
  g.outbox_depth = 12;
  g.seconds_since_last_sync = 1.5;
  std::string text = m.Render(g);
  EXPECT_NE(text.find("# TYPE edgerun_inference_latency_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("edgerun_outbox_drops_total{reason=\"drop_oldest\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("edgerun_outbox_depth 12\n"), std::string::npos);
  EXPECT_NE(text.find("edgerun_seconds_since_last_sync 1.5\n"), std::string::npos);
  EXPECT_NE(text.find("model=\"m\\\"q\""), std::string::npos);  // label values are escaped
  EXPECT_NE(text.find("edgerun_sync_failures_total{reason=\"network\"} 0\n"), std::string::npos);
}

}  // namespace
}  // namespace edgerun::agent
