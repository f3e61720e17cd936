// Grouped topological order and provider segments.
#include "runtime/partitioner.h"

#include <functional>
#include <queue>

namespace edgerun {

std::vector<size_t> GroupedTopologicalOrder(const std::vector<std::vector<size_t>>& users,
                                            const std::vector<int>& groups) {
  const size_t n = users.size();
  std::vector<int> indegree(n, 0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t u : users[i]) indegree[u]++;
  }
  int max_group = -1;
  for (int g : groups) max_group = std::max(max_group, g);
  using MinHeap = std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>>;
  std::vector<MinHeap> ready(static_cast<size_t>(max_group + 2));  // slot 0: group -1
  auto slot = [&](size_t i) { return static_cast<size_t>(groups[i] + 1); };
  for (size_t i = 0; i < n; ++i) {
    if (indegree[i] == 0) ready[slot(i)].push(i);
  }
  std::vector<size_t> order;
  order.reserve(n);
  size_t current = 0;
  bool have_current = false;
  while (order.size() < n) {
    size_t pick_slot = ready.size();
    if (have_current && !ready[current].empty()) {
      pick_slot = current;
    } else {
      for (size_t s = 0; s < ready.size(); ++s) {
        if (!ready[s].empty() && (pick_slot == ready.size() || ready[s].top() < ready[pick_slot].top())) pick_slot = s;
      }
    }
    if (pick_slot == ready.size()) break;  // cycle
    size_t i = ready[pick_slot].top();
    ready[pick_slot].pop();
    order.push_back(i);
    current = pick_slot;
    have_current = true;
    for (size_t u : users[i]) {
      if (--indegree[u] == 0) ready[slot(u)].push(u);
    }
  }
  return order;
}

std::vector<Segment> ProviderSegments(const std::vector<size_t>& order, const std::vector<int>& groups) {
  std::vector<Segment> segs;
  for (size_t p = 0; p < order.size();) {
    int g = groups[order[p]];
    size_t q = p + 1;
    while (q < order.size() && groups[order[q]] == g) ++q;
    if (g >= 0) segs.push_back({p, q, g});
    p = q;
  }
  return segs;
}

}  // namespace edgerun
