#include "bench/statistics.h"

#include <algorithm>
#include <cmath>

namespace edgerun::bench {

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double n = static_cast<double>(sorted.size());
  int64_t rank = static_cast<int64_t>(std::ceil(p * n - 1e-9));
  rank = std::clamp<int64_t>(rank, 1, static_cast<int64_t>(sorted.size()));
  return sorted[static_cast<size_t>(rank - 1)];
}

LatencySummary Summarize(std::vector<double> samples) {
  LatencySummary s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  s.count = static_cast<int64_t>(samples.size());
  s.min = samples.front();
  s.max = samples.back();
  double sum = 0;
  for (double v : samples) sum += v;
  s.mean = sum / static_cast<double>(samples.size());
  if (samples.size() > 1) {
    double ss = 0;
    for (double v : samples) ss += (v - s.mean) * (v - s.mean);
    s.stddev = std::sqrt(ss / static_cast<double>(samples.size() - 1));
  }
  s.p50 = Percentile(samples, 0.50);
  s.p90 = Percentile(samples, 0.90);
  s.p99 = Percentile(samples, 0.99);
  s.p999 = Percentile(samples, 0.999);
  s.tail_ratio = s.p50 > 0 ? s.p99 / s.p50 : 0;
  return s;
}

std::vector<HistogramBin> Histogram(const std::vector<double>& samples, int bins) {
  std::vector<HistogramBin> out;
  if (samples.empty() || bins < 1) return out;
  auto [lo_it, hi_it] = std::minmax_element(samples.begin(), samples.end());
  const double lo = *lo_it, hi = *hi_it;
  if (hi <= lo) {
    out.push_back({lo, hi, static_cast<int64_t>(samples.size())});
    return out;
  }
  const double width = (hi - lo) / bins;
  out.resize(static_cast<size_t>(bins));
  for (int i = 0; i < bins; ++i) {
    out[static_cast<size_t>(i)].lo = lo + width * i;
    out[static_cast<size_t>(i)].hi = i + 1 == bins ? hi : lo + width * (i + 1);
  }
  for (double v : samples) {
    int b = static_cast<int>((v - lo) / width);
    b = std::clamp(b, 0, bins - 1);
    ++out[static_cast<size_t>(b)].count;
  }
  return out;
}

DeadlineStats CountDeadlineMisses(const std::vector<double>& release_us, const std::vector<double>& finish_us,
                                  double deadline_us) {
  DeadlineStats d;
  const size_t n = std::min(release_us.size(), finish_us.size());
  d.invocations = static_cast<int64_t>(n);
  for (size_t i = 0; i < n; ++i) {
    const double response = finish_us[i] - release_us[i];
    d.worst_response_us = std::max(d.worst_response_us, response);
    if (response > deadline_us) ++d.misses;
  }
  d.miss_ratio = n ? static_cast<double>(d.misses) / static_cast<double>(n) : 0;
  return d;
}

std::vector<std::pair<int64_t, double>> DownsampleMax(const std::vector<double>& series, int64_t max_points) {
  std::vector<std::pair<int64_t, double>> out;
  const int64_t n = static_cast<int64_t>(series.size());
  if (n == 0 || max_points < 1) return out;
  if (n <= max_points) {
    for (int64_t i = 0; i < n; ++i) out.emplace_back(i, series[static_cast<size_t>(i)]);
    return out;
  }
  for (int64_t b = 0; b < max_points; ++b) {
    const int64_t begin = b * n / max_points, end = (b + 1) * n / max_points;
    int64_t best = begin;
    for (int64_t i = begin; i < end; ++i) {
      if (series[static_cast<size_t>(i)] > series[static_cast<size_t>(best)]) best = i;
    }
    out.emplace_back(best, series[static_cast<size_t>(best)]);
  }
  return out;
}

}  // namespace edgerun::bench
