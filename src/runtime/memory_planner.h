// Static memory planning: a pure function from buffer sizes and lifetimes (step ranges in
// execution order) to offsets in one arena, such that buffers alive at the same step never
// overlap. Greedy by size (TFLite's and XNNPACK's strategy): the largest buffers are placed first,
// each at the lowest aligned offset that does not collide with an already placed buffer whose
// lifetime intersects its own.
// Thread-safety: stateless.
#pragma once

#include <cstddef>
#include <vector>

namespace edgerun {

struct BufferRequest {
  size_t bytes = 0;
  size_t first_step = 0;  // step that writes it
  size_t last_step = 0;   // last step that reads it (inclusive)
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // per request
  size_t arena_bytes = 0;
};

// Offsets are multiples of `alignment` (a power of two).
MemoryPlan PlanMemory(const std::vector<BufferRequest>& requests, size_t alignment = 64);

}  // namespace edgerun
