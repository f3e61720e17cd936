// JSON schema and HTML report checks on a report built from known samples.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bench/html_report.h"
#include "bench/json_report.h"
#include "bench/text_report.h"

namespace edgerun::bench {
namespace {

BenchReport KnownReport() {
  BenchReport r;
  r.model = "m<1>.onnx";
  r.providers = {"cpu"};
  for (int i = 1; i <= 1000; ++i) {
    r.samples_us.push_back(i);
    r.sample_start_s.push_back(i * 0.001);
  }
  r.latency = Summarize(r.samples_us);
  r.wall_s = 1.0;
  r.throughput_per_s = 1000;
  r.peak_rss_bytes = 12345678;
  r.allocations_per_run = 0.0;
  r.arena_reason = "not available: engine hook pending";
  r.profile_reason = "not available: engine hook pending";
  r.energy_reason = "not available: no RAPL";
  return r;
}

TEST(JsonReportTest, SchemaHasEveryFieldAndNullsWithReasons) {
  auto j = nlohmann::json::parse(BenchReportToJson(KnownReport()));
  EXPECT_EQ(j["schema"], kBenchJsonSchema);
  for (const char* k : {"min", "mean", "stddev", "p50", "p90", "p99", "p999", "max", "tail_ratio_p99_p50", "count"}) {
    ASSERT_TRUE(j["latency_us"].contains(k)) << k;
    EXPECT_TRUE(j["latency_us"][k].is_number()) << k;
  }
  EXPECT_EQ(j["latency_us"]["p50"], 500);
  EXPECT_EQ(j["latency_us"]["p99"], 990);
  EXPECT_EQ(j["latency_us"]["p999"], 999);
  EXPECT_EQ(j["latency_us"]["max"], 1000);
  for (const char* k : {"session_create_ms", "first_inference_ms", "throughput_per_s", "peak_rss_bytes", "allocations_per_run"}) {
    EXPECT_TRUE(j[k].is_number()) << k;
  }
  EXPECT_EQ(j["peak_rss_bytes"], 12345678);
  for (const char* k : {"arena_bytes", "energy_j", "deadline_misses", "profile"}) {
    ASSERT_TRUE(j.contains(k)) << k;
    EXPECT_TRUE(j[k].is_null()) << k;
    ASSERT_TRUE(j["not_available"].contains(k)) << k;
    EXPECT_FALSE(j["not_available"][k].get<std::string>().empty()) << k;
  }
  EXPECT_FALSE(j["not_available"].contains("peak_rss_bytes"));
}

TEST(JsonReportTest, RealtimeAndEnergyAreNumbersWhenMeasured) {
  BenchReport r = KnownReport();
  RealtimeResult rt;
  rt.rate_hz = 100;
  rt.deadline_ms = 0.5;
  rt.deadline = CountDeadlineMisses({0, 1000, 2000}, {100, 1600, 2400}, 500);
  r.realtime = rt;
  r.energy = EnergyResult{2.5, 2.5, "RAPL package-0"};
  auto j = nlohmann::json::parse(BenchReportToJson(r));
  EXPECT_EQ(j["deadline_misses"], 1);
  EXPECT_EQ(j["realtime"]["invocations"], 3);
  EXPECT_EQ(j["realtime"]["kept_up"], true);
  EXPECT_EQ(j["energy_j"], 2.5);
  EXPECT_EQ(j["energy_source"], "RAPL package-0");
  EXPECT_FALSE(j["not_available"].contains("energy_j"));
  EXPECT_FALSE(j["not_available"].contains("deadline_misses"));
}

size_t Count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

TEST(HtmlReportTest, SelfContainedWithHistogramAndTimeSeries) {
  std::string h = BenchReportToHtml(KnownReport());
  EXPECT_EQ(h.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(Count(h, "<svg"), 2u);
  EXPECT_EQ(Count(h, "class=\"bar\""), static_cast<size_t>(kHtmlHistogramBins));
  EXPECT_EQ(Count(h, "class=\"pt\""), 1000u);
  EXPECT_EQ(Count(h, "<script"), 0u);
  EXPECT_EQ(Count(h, "src="), 0u);
  EXPECT_EQ(Count(h, "<link"), 0u);
  EXPECT_NE(h.find("m&lt;1&gt;.onnx"), std::string::npos);  // escaped
  EXPECT_EQ(h.find("m<1>.onnx"), std::string::npos);
  EXPECT_NE(h.find("engine hook pending"), std::string::npos);
}

TEST(HtmlReportTest, HistogramBarsSumToTheSamplesAndDeadlineIsDrawn) {
  std::vector<double> s(5000, 10.0);
  for (int i = 0; i < 50; ++i) s[static_cast<size_t>(i)] = 100;
  std::string svg = LatencyHistogramSvg(s, 80);
  EXPECT_NE(svg.find("class=\"deadline\""), std::string::npos);
  EXPECT_NE(svg.find(": 4950</title>"), std::string::npos);
  EXPECT_NE(svg.find(": 50</title>"), std::string::npos);
  std::vector<double> many(100000, 1.0), starts(100000);
  for (size_t i = 0; i < starts.size(); ++i) starts[i] = static_cast<double>(i) * 1e-4;
  EXPECT_EQ(Count(LatencyOverTimeSvg(many, starts, 0), "class=\"pt\""), static_cast<size_t>(kHtmlMaxPoints));
  EXPECT_NE(LatencyHistogramSvg({}, 0).find("no samples"), std::string::npos);
}

TEST(TextReportTest, TableAndProgressBar) {
  std::string t = BenchReportToText(KnownReport());
  EXPECT_NE(t.find("p99.9"), std::string::npos);
  EXPECT_NE(t.find("990.0 us"), std::string::npos);
  EXPECT_NE(t.find("engine hook pending"), std::string::npos);
  EXPECT_EQ(ProgressBar(0.5, 10), "[#####.....]  50%");
  EXPECT_EQ(ProgressBar(2.0, 4), "[####] 100%");
}

}  // namespace
}  // namespace edgerun::bench
