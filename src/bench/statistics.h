// Latency statistics: pure functions over samples (microseconds). Percentiles use the
// nearest-rank definition (the smallest sample with at least p of the samples at or below it),
// the same as bench/peers/ort_run.js, so both runtimes are summarized identically.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <vector>

namespace edgerun::bench {

struct LatencySummary {
  int64_t count = 0;
  double min = 0, mean = 0, stddev = 0;
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
  // p99 / p50; 0 when p50 is 0.
  double tail_ratio = 0;
};

// Nearest-rank percentile of ascending `sorted`, p in [0, 1]; 0 for an empty vector.
double Percentile(const std::vector<double>& sorted, double p);

// Summary of unsorted samples. stddev is the sample standard deviation (n - 1 in the
// denominator; 0 for fewer than two samples). All zeros for no samples.
LatencySummary Summarize(std::vector<double> samples);

struct HistogramBin {
  double lo = 0, hi = 0;
  int64_t count = 0;
};

// `bins` equal-width bins spanning [min, max] of the samples; the last bin includes max.
// Empty for no samples or bins < 1; a single bin when all samples are equal.
std::vector<HistogramBin> Histogram(const std::vector<double>& samples, int bins);

// A periodic (real-time) run: each invocation k is released at `release_us[k]` (its scheduled
// time) and finishes at `finish_us[k]`. A deadline miss is a response time
// finish - release greater than `deadline_us`.
struct DeadlineStats {
  int64_t invocations = 0;
  int64_t misses = 0;
  double worst_response_us = 0;
  double miss_ratio = 0;
};
DeadlineStats CountDeadlineMisses(const std::vector<double>& release_us, const std::vector<double>& finish_us,
                                  double deadline_us);

// Reduces a series to at most `max_points` points, keeping the maximum of each bucket (spikes
// stay visible in plots). Returns (index, value) pairs in order.
std::vector<std::pair<int64_t, double>> DownsampleMax(const std::vector<double>& series, int64_t max_points);

}  // namespace edgerun::bench
