#include "runtime/partitioner.h"

#include <gtest/gtest.h>

namespace edgerun {
namespace {

TEST(PartitionerTest, KeepsGroupTogetherAcrossIndependentBranch) {
  // 0 -> 1 -> 2, and 3 independent (reference). Provider claims 0,1,2 but model order puts 3
  // between 1 and 2 in index terms: 0,1,3,2 would split the provider run.
  std::vector<std::vector<size_t>> users = {{1}, {3}, {}, {}};
  // Node indices: 0,1 provider; 2 reference (independent); 3 provider depending on 1.
  std::vector<int> groups = {0, 0, -1, 0};
  auto order = GroupedTopologicalOrder(users, groups);
  ASSERT_EQ(order.size(), 4u);
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 3, 2}));
  auto segs = ProviderSegments(order, groups);
  ASSERT_EQ(segs.size(), 1u);
  EXPECT_EQ(segs[0].begin, 0u);
  EXPECT_EQ(segs[0].end, 3u);
}

TEST(PartitionerTest, ReferenceNodeInsideChainSplitsSegments) {
  std::vector<std::vector<size_t>> users = {{1}, {2}, {}};
  std::vector<int> groups = {0, -1, 0};
  auto order = GroupedTopologicalOrder(users, groups);
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2}));
  auto segs = ProviderSegments(order, groups);
  ASSERT_EQ(segs.size(), 2u);
  EXPECT_EQ(segs[0].end - segs[0].begin, 1u);
  EXPECT_EQ(segs[1].begin, 2u);
}

TEST(PartitionerTest, CycleYieldsShortOrder) {
  std::vector<std::vector<size_t>> users = {{1}, {0}, {}};
  auto order = GroupedTopologicalOrder(users, {-1, -1, -1});
  EXPECT_EQ(order.size(), 1u);
}

TEST(PartitionerTest, RespectsDependencies) {
  // Diamond 0 -> {1,2} -> 3 with mixed groups: every edge goes forward in the order.
  std::vector<std::vector<size_t>> users = {{1, 2}, {3}, {3}, {}};
  std::vector<int> groups = {1, 0, 1, 0};
  auto order = GroupedTopologicalOrder(users, groups);
  ASSERT_EQ(order.size(), 4u);
  std::vector<size_t> pos(4);
  for (size_t p = 0; p < 4; ++p) pos[order[p]] = p;
  for (size_t i = 0; i < 4; ++i) {
    for (size_t u : users[i]) EXPECT_LT(pos[i], pos[u]);
  }
}

}  // namespace
}  // namespace edgerun
