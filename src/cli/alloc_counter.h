// Heap allocation counter for `edgerun bench`: this binary replaces the global operator new
// (all forms) with versions that count allocations made on threads that enabled counting.
// Thread-safety: counting is per thread (thread_local switch); the total is atomic.
#pragma once

#include <cstdint>

namespace edgerun::cli {

// Starts or stops counting allocations made by the calling thread.
void CountAllocationsOnThisThread(bool on);
// Allocations counted so far, all threads.
uint64_t CountedAllocations();

}  // namespace edgerun::cli
