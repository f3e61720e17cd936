#include "runtime/memory_planner.h"

#include <gtest/gtest.h>

#include <random>

namespace edgerun {
namespace {

bool Collide(const BufferRequest& a, size_t oa, const BufferRequest& b, size_t ob) {
  const bool time = !(a.last_step < b.first_step || b.last_step < a.first_step);
  const bool space = oa < ob + b.bytes && ob < oa + a.bytes;
  return time && space && a.bytes && b.bytes;
}

TEST(MemoryPlannerTest, ChainReusesMemory) {
  // A chain a->b->c->d: each buffer lives two steps; a and c can share, b and d can share.
  std::vector<BufferRequest> reqs = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
  MemoryPlan plan = PlanMemory(reqs);
  EXPECT_EQ(plan.arena_bytes, 2 * 1024u);  // 1000 rounded to 64-byte alignment, two live at once
  EXPECT_EQ(plan.offsets[0], plan.offsets[2]);
  EXPECT_EQ(plan.offsets[1], plan.offsets[3]);
  EXPECT_NE(plan.offsets[0], plan.offsets[1]);
}

TEST(MemoryPlannerTest, AlignedOffsets) {
  std::vector<BufferRequest> reqs = {{3, 0, 0}, {5, 0, 0}, {7, 0, 0}};
  MemoryPlan plan = PlanMemory(reqs, 64);
  for (size_t o : plan.offsets) EXPECT_EQ(o % 64, 0u);
  EXPECT_EQ(plan.arena_bytes, 3 * 64u);
}

TEST(MemoryPlannerTest, RandomLifetimesNeverCollide) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<BufferRequest> reqs;
    size_t total = 0;
    for (int i = 0; i < 40; ++i) {
      size_t first = rng() % 30;
      size_t len = rng() % 6;
      size_t bytes = 1 + rng() % 5000;
      reqs.push_back({bytes, first, first + len});
      total += (bytes + 63) / 64 * 64;
    }
    MemoryPlan plan = PlanMemory(reqs);
    EXPECT_LE(plan.arena_bytes, total);
    for (size_t a = 0; a < reqs.size(); ++a) {
      EXPECT_LE(plan.offsets[a] + reqs[a].bytes, plan.arena_bytes);
      for (size_t b = a + 1; b < reqs.size(); ++b) {
        EXPECT_FALSE(Collide(reqs[a], plan.offsets[a], reqs[b], plan.offsets[b])) << "trial " << trial << " " << a << "," << b;
      }
    }
  }
}

TEST(MemoryPlannerTest, EmptyPlan) {
  MemoryPlan plan = PlanMemory({});
  EXPECT_EQ(plan.arena_bytes, 0u);
  EXPECT_TRUE(plan.offsets.empty());
}

}  // namespace
}  // namespace edgerun
