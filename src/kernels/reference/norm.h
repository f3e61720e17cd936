// Registration entry points of the normalization kernels.
#pragma once

#include "kernels/kernel.h"

namespace edgerun {

// BatchNormalization, InstanceNormalization (norm_batch.cc).
void RegisterBatchNormKernels(KernelRegistry& r);
// LayerNormalization, GroupNormalization (norm_layer.cc).
void RegisterLayerNormKernels(KernelRegistry& r);

// The float path of LayerNormalization applies when x, Scale (and B) are float, Scale and B are
// exactly trailing dims of the normalized shape [axis, rank), and Mean and InvStdDev are not
// wanted. It writes y (allocated with x's shape) with each row's mean and variance summed in
// double and the normalization in float. Checked against the double computation in norm_test.cc.
bool LayerNormF32Applies(const KernelContext& ctx, int64_t axis);
void LayerNormF32(const KernelContext& ctx, int64_t axis, double epsilon, Tensor* y);
// LRN, MeanVarianceNormalization, LpNormalization (norm_misc.cc).
void RegisterMiscNormKernels(KernelRegistry& r);

}  // namespace edgerun
