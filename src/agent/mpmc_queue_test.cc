#include "agent/mpmc_queue.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace edgerun::agent {
namespace {

TEST(MpmcQueueTest, FifoAndBounded) {
  MpmcQueue<int> q(3);  // not a power of two on purpose
  for (int i = 0; i < 3; ++i) {
    int v = i;
    EXPECT_TRUE(q.TryPush(v));
  }
  int extra = 99;
  EXPECT_FALSE(q.TryPush(extra));
  EXPECT_EQ(extra, 99);
  EXPECT_EQ(q.SizeApprox(), 3u);
  for (int round = 0; round < 10; ++round) {  // wraps around many times
    auto v = q.TryPop();
    ASSERT_TRUE(v.has_value());
    int next = *v + 3;
    EXPECT_TRUE(q.TryPush(next));
  }
  std::vector<int> rest;
  while (auto v = q.TryPop()) rest.push_back(*v);
  EXPECT_EQ(rest, (std::vector<int>{10, 11, 12}));
  EXPECT_FALSE(q.TryPop().has_value());
}

TEST(MpmcQueueTest, ConcurrentProducersAndConsumerLoseNothing) {
  MpmcQueue<int> q(64);
  constexpr int kPerProducer = 20000;
  std::atomic<int> pushed_fail{0};
  std::vector<std::thread> producers;
  for (int p = 0; p < 3; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        int v = p * kPerProducer + i;
        while (!q.TryPush(v)) pushed_fail.fetch_add(1);
      }
    });
  }
  std::set<int> seen;
  std::vector<int> last(3, -1);
  while (seen.size() < 3u * kPerProducer) {
    if (auto v = q.TryPop()) {
      EXPECT_TRUE(seen.insert(*v).second);
      int p = *v / kPerProducer;
      EXPECT_GT(*v, last[p]);  // per-producer FIFO
      last[p] = *v;
    }
  }
  for (auto& t : producers) t.join();
  EXPECT_FALSE(q.TryPop().has_value());
}

}  // namespace
}  // namespace edgerun::agent
