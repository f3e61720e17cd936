// Registration entry points of the pooling kernels.
#pragma once

#include "kernels/kernel.h"

namespace edgerun {

// MaxPool, AveragePool, LpPool (pool.cc).
void RegisterWindowPoolKernels(KernelRegistry& r);
// GlobalAveragePool, GlobalMaxPool, GlobalLpPool (pool_global.cc).
void RegisterGlobalPoolKernels(KernelRegistry& r);
// MaxUnpool, MaxRoiPool (pool_unpool.cc).
void RegisterUnpoolKernels(KernelRegistry& r);

}  // namespace edgerun
