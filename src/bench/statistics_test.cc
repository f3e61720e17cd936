#include "bench/statistics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace edgerun::bench {
namespace {

std::vector<double> OneToN(int n) {
  std::vector<double> v;
  for (int i = n; i >= 1; --i) v.push_back(i);  // unsorted on purpose
  return v;
}

TEST(StatisticsTest, NearestRankPercentilesOfOneToThousand) {
  LatencySummary s = Summarize(OneToN(1000));
  EXPECT_EQ(s.count, 1000);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 1000);
  EXPECT_EQ(s.p50, 500);
  EXPECT_EQ(s.p90, 900);
  EXPECT_EQ(s.p99, 990);
  EXPECT_EQ(s.p999, 999);
  EXPECT_DOUBLE_EQ(s.mean, 500.5);
  EXPECT_DOUBLE_EQ(s.tail_ratio, 990.0 / 500.0);
}

TEST(StatisticsTest, PercentilesOfSmallSetsRoundUp) {
  // ceil(0.5 * 5) = 3rd value; ceil(0.9 * 5) = 5th.
  std::vector<double> sorted = {10, 20, 30, 40, 50};
  EXPECT_EQ(Percentile(sorted, 0.5), 30);
  EXPECT_EQ(Percentile(sorted, 0.9), 50);
  EXPECT_EQ(Percentile(sorted, 0.0), 10);
  EXPECT_EQ(Percentile(sorted, 1.0), 50);
  EXPECT_EQ(Percentile({}, 0.5), 0);
  // p99.9 of 100 samples is the maximum, not an interpolation.
  EXPECT_EQ(Summarize(OneToN(100)).p999, 100);
}

TEST(StatisticsTest, SampleStandardDeviation) {
  // Known data: mean 5, squared deviations sum 32, n - 1 = 7.
  LatencySummary s = Summarize({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_DOUBLE_EQ(s.mean, 5);
  EXPECT_NEAR(s.stddev, std::sqrt(32.0 / 7.0), 1e-12);
  EXPECT_EQ(Summarize({3}).stddev, 0);
  EXPECT_EQ(Summarize({}).count, 0);
  EXPECT_EQ(Summarize({0, 0}).tail_ratio, 0);
}

TEST(StatisticsTest, HistogramCountsEverySampleOnce) {
  auto bins = Histogram({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5);
  ASSERT_EQ(bins.size(), 5u);
  EXPECT_EQ(bins[0].lo, 0);
  EXPECT_EQ(bins[4].hi, 10);
  int64_t total = 0;
  for (const auto& b : bins) total += b.count;
  EXPECT_EQ(total, 11);
  EXPECT_EQ(bins[0].count, 2);  // 0, 1
  EXPECT_EQ(bins[4].count, 3);  // 8, 9 and the max 10
  auto flat = Histogram({7, 7, 7}, 10);
  ASSERT_EQ(flat.size(), 1u);
  EXPECT_EQ(flat[0].count, 3);
  EXPECT_TRUE(Histogram({}, 10).empty());
}

TEST(StatisticsTest, DeadlineMissesCountResponseFromRelease) {
  // Period 1000 us, deadline 500 us. Responses: 100, 600 (miss), 500 (on the deadline: ok),
  // 1200 (miss: a late start counts against the deadline too).
  std::vector<double> release = {0, 1000, 2000, 3000};
  std::vector<double> finish = {100, 1600, 2500, 4200};
  DeadlineStats d = CountDeadlineMisses(release, finish, 500);
  EXPECT_EQ(d.invocations, 4);
  EXPECT_EQ(d.misses, 2);
  EXPECT_DOUBLE_EQ(d.worst_response_us, 1200);
  EXPECT_DOUBLE_EQ(d.miss_ratio, 0.5);
  EXPECT_EQ(CountDeadlineMisses({}, {}, 1).misses, 0);
}

TEST(StatisticsTest, DownsampleKeepsSpikes) {
  std::vector<double> series(10000, 1.0);
  series[4321] = 99;
  auto pts = DownsampleMax(series, 100);
  ASSERT_EQ(pts.size(), 100u);
  bool found = false;
  for (const auto& [i, v] : pts) found = found || (i == 4321 && v == 99);
  EXPECT_TRUE(found);
  EXPECT_EQ(DownsampleMax({1, 2, 3}, 100).size(), 3u);
}

}  // namespace
}  // namespace edgerun::bench
