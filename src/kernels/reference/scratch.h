// Per-thread scratch buffers that reference kernels reuse from run to run: a buffer grows to the
// largest request its thread has made and is kept, so a steady-state run allocates nothing.
//
// Each (T, Slot) pair is one buffer per thread. Contents are unspecified on return: callers fill
// what they read. A caller must not hold a buffer across a call that may take the same slot
// (kernels do not nest, so a kernel owns its slots for the length of its Run).
#pragma once

#include <cstddef>
#include <vector>

namespace edgerun {

template <typename T, int Slot = 0>
T* ThreadScratch(size_t n) {
  thread_local std::vector<T> buffer;
  if (buffer.size() < n) buffer.resize(n);
  return buffer.data();
}

}  // namespace edgerun
