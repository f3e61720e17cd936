// Greedy-by-size arena planning.
#include "runtime/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace edgerun {

MemoryPlan PlanMemory(const std::vector<BufferRequest>& requests, size_t alignment) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);
  auto align_up = [alignment](size_t v) { return (v + alignment - 1) & ~(alignment - 1); };
  std::vector<size_t> by_size(requests.size());
  std::iota(by_size.begin(), by_size.end(), size_t{0});
  std::stable_sort(by_size.begin(), by_size.end(),
                   [&](size_t a, size_t b) { return requests[a].bytes > requests[b].bytes; });
  std::vector<size_t> placed;  // indices already placed, kept sorted by offset
  for (size_t r : by_size) {
    const BufferRequest& req = requests[r];
    const size_t size = align_up(std::max<size_t>(req.bytes, 1));
    size_t offset = 0;
    for (size_t p : placed) {
      const BufferRequest& other = requests[p];
      const bool overlap_in_time = !(other.last_step < req.first_step || req.last_step < other.first_step);
      if (!overlap_in_time) continue;
      const size_t o_begin = plan.offsets[p];
      const size_t o_end = o_begin + align_up(std::max<size_t>(other.bytes, 1));
      if (offset + size <= o_begin) break;  // fits in the gap before `other`
      offset = std::max(offset, o_end);
    }
    plan.offsets[r] = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, offset + size);
    auto pos = std::upper_bound(placed.begin(), placed.end(), offset,
                                [&](size_t off, size_t idx) { return off < plan.offsets[idx]; });
    placed.insert(pos, r);
  }
  return plan;
}

}  // namespace edgerun
