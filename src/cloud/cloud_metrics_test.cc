#include "cloud/cloud_metrics.h"

#include <gtest/gtest.h>

namespace edgerun::cloud {
namespace {

bool Has(const std::string& text, const std::string& line) { return text.find(line + "\n") != std::string::npos; }

TEST(CloudMetricsTest, RendersCountersByLabel) {
  CloudMetrics m;
  m.ObserveRequest("/api/v1/events", "POST", 200, 0.002);
  m.ObserveRequest("/api/v1/events", "POST", 200, 0.002);
  m.ObserveRequest("/api/v1/events", "POST", 401, -1);
  m.AddIngested(5);
  m.AddDuplicates(2);
  m.AddRejectedBatch("unauthorized");
  std::string t = m.Render();
  EXPECT_TRUE(Has(t, "# TYPE edgerun_cloud_http_requests_total counter"));
  EXPECT_TRUE(Has(t, R"(edgerun_cloud_http_requests_total{route="/api/v1/events",method="POST",code="200"} 2)"));
  EXPECT_TRUE(Has(t, R"(edgerun_cloud_http_requests_total{route="/api/v1/events",method="POST",code="401"} 1)"));
  EXPECT_TRUE(Has(t, "edgerun_cloud_events_ingested_total 5"));
  EXPECT_TRUE(Has(t, "edgerun_cloud_events_duplicate_total 2"));
  EXPECT_TRUE(Has(t, R"(edgerun_cloud_batches_rejected_total{reason="unauthorized"} 1)"));
  EXPECT_TRUE(Has(t, R"(edgerun_cloud_build_info{version="0.1.0"} 1)"));
}

TEST(CloudMetricsTest, HistogramBucketsAreCumulative) {
  CloudMetrics m;
  m.ObserveRequest("/metrics", "GET", 200, 0.0001);
  m.ObserveRequest("/metrics", "GET", 200, 0.003);
  m.ObserveRequest("/metrics", "GET", 200, 10.0);  // beyond the last bucket: only +Inf
  std::string t = m.Render();
  EXPECT_TRUE(Has(t, "# TYPE edgerun_cloud_http_request_duration_seconds histogram"));
  EXPECT_TRUE(Has(t, R"(edgerun_cloud_http_request_duration_seconds_bucket{route="/metrics",le="0.0005"} 1)"));
  EXPECT_TRUE(Has(t, R"(edgerun_cloud_http_request_duration_seconds_bucket{route="/metrics",le="0.0025"} 1)"));
  EXPECT_TRUE(Has(t, R"(edgerun_cloud_http_request_duration_seconds_bucket{route="/metrics",le="0.005"} 2)"));
  EXPECT_TRUE(Has(t, R"(edgerun_cloud_http_request_duration_seconds_bucket{route="/metrics",le="2.5"} 2)"));
  EXPECT_TRUE(Has(t, R"(edgerun_cloud_http_request_duration_seconds_bucket{route="/metrics",le="+Inf"} 3)"));
  EXPECT_TRUE(Has(t, R"(edgerun_cloud_http_request_duration_seconds_count{route="/metrics"} 3)"));
  EXPECT_TRUE(Has(t, R"(edgerun_cloud_http_request_duration_seconds_sum{route="/metrics"} 10.0031)"));
}

}  // namespace
}  // namespace edgerun::cloud
