// Registration entry points of the normalization kernels.
#pragma once

#include "kernels/kernel.h"

namespace edgerun {

// BatchNormalization, InstanceNormalization (norm_batch.cc).
void RegisterBatchNormKernels(KernelRegistry& r);
// LayerNormalization, GroupNormalization (norm_layer.cc).
void RegisterLayerNormKernels(KernelRegistry& r);
// LRN, MeanVarianceNormalization, LpNormalization (norm_misc.cc).
void RegisterMiscNormKernels(KernelRegistry& r);

}  // namespace edgerun
