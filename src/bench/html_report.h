// BenchReport -> a self-contained HTML page (no scripts, no external resources): summary
// table, latency histogram and latency over time as inline SVG.
// Thread-safety: stateless functions.
#pragma once

#include <string>

#include "bench/report.h"
#include "edgerun/status.h"

namespace edgerun::bench {

// Histogram bins in the page. Time series plots at most kHtmlMaxPoints points (bucket maxima).
constexpr int kHtmlHistogramBins = 40;
constexpr int64_t kHtmlMaxPoints = 2000;

std::string BenchReportToHtml(const BenchReport& report);
// The two plots on their own (for tests and reuse).
std::string LatencyHistogramSvg(const std::vector<double>& samples_us, double deadline_us);
std::string LatencyOverTimeSvg(const std::vector<double>& samples_us, const std::vector<double>& start_s,
                               double deadline_us);

Status WriteBenchHtml(const BenchReport& report, const std::string& path);

}  // namespace edgerun::bench
