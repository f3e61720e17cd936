// Factories for the image family of reference kernels. Each validates the node's attributes at
// session creation and returns a kernel, or InvalidArgument naming the node. The kernels hold
// only immutable configuration: Run is const and thread-safe.
#pragma once

#include <memory>

#include "edgerun/status.h"
#include "kernels/kernel.h"

namespace edgerun {

// Resize (opsets 10..19) and its deprecated predecessor Upsample (opsets 7..10).
Result<std::unique_ptr<Kernel>> CreateResizeKernel(const KernelCreateContext& ctx);
Result<std::unique_ptr<Kernel>> CreateUpsampleKernel(const KernelCreateContext& ctx);

// GridSample (opset 16 2-D names, opset 20 N-D names) and AffineGrid (opset 20).
Result<std::unique_ptr<Kernel>> CreateGridSampleKernel(const KernelCreateContext& ctx);
Result<std::unique_ptr<Kernel>> CreateAffineGridKernel(const KernelCreateContext& ctx);

// RoiAlign (opsets 10 and 16).
Result<std::unique_ptr<Kernel>> CreateRoiAlignKernel(const KernelCreateContext& ctx);

// NonMaxSuppression (opsets 10 and 11).
Result<std::unique_ptr<Kernel>> CreateNonMaxSuppressionKernel(const KernelCreateContext& ctx);

}  // namespace edgerun
