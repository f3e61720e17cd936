// Partitioning among providers, as pure functions over node indices (tested on their own).
// Thread-safety: stateless.
#pragma once

#include <cstddef>
#include <vector>

namespace edgerun {

// A stable topological order (Kahn, lowest index first) that keeps nodes of one group together:
// when the last scheduled node's group has a ready node, it goes next. groups[i] is the provider
// index claiming node i, or -1 for the reference kernels. users[i] lists the nodes depending on i.
// Returns fewer than n indices when the graph has a cycle.
std::vector<size_t> GroupedTopologicalOrder(const std::vector<std::vector<size_t>>& users,
                                            const std::vector<int>& groups);

struct Segment {
  size_t begin = 0;  // positions in the order, [begin, end)
  size_t end = 0;
  int group = -1;
};

// Maximal runs of one group >= 0 in `order`. A contiguous run of a topological order is convex:
// every path between two of its nodes stays inside it.
std::vector<Segment> ProviderSegments(const std::vector<size_t>& order, const std::vector<int>& groups);

}  // namespace edgerun
