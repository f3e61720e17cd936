// 3x3 stride-1 convolutions of an XNNPACK plan run by the Winograd F(4x4, 3x3) kernel
// (winograd_conv.h): 36 instead of 144 multiplies per 4x4 output tile and channel pair.
//
// Rule (numbers in xnnpack_winograd_step.cc): a convolution takes this path when it is 2-D, 3x3,
// stride 1, dilation 1, group 1, with at least 8 input and 16 output channels, at least 8x8
// outputs, packed weights (4x the original) of at most 12 MiB, an activation that is a clamp
// (none, Relu, Clip), and the CPU has AVX2 and FMA. EDGERUN_WINOGRAD=0 turns it off.
//
// The step reads the plan's NHWC buffers and can write its output as a channel slice (a concat
// input in place); bias, FusedConv's residual Z and the clamp are fused. Its threads are the
// plan's pthreadpool, or oneDNN's OpenMP team when the plan also runs oneDNN convolutions (one
// set of workers, not two spinning against each other).
// Thread-safety: a step is used by one plan at a time (its owner serializes runs).
#pragma once

#include <cstdint>
#include <string>

#include "kernels/xnnpack/xnnpack_plan.h"

namespace edgerun::xnn {

struct WinogradConvParams : FusedConvOperands {  // weights: ONNX OIHW [m][c][3][3]
  int64_t c = 0, m = 0;                          // input and output channels
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
};

// True when the rule above sends a convolution of this geometry here (kernel 3x3, stride 1,
// dilation 1 and group 1 are the caller's to check).
bool WinogradApplies(int64_t c, int64_t m, int64_t out_h, int64_t out_w);

// Adds the step reading x (and z when params.has_z) and writing a new value of `out_shape`
// (NCHW order, [n, m, oh, ow]); returns the output value.
int AddWinogradConv(Plan& plan, const std::string& what, int x, int z, const Shape& out_shape,
                    const WinogradConvParams& params);

// Winograd steps planned since process start (for tests).
int64_t WinogradConvSteps();

}  // namespace edgerun::xnn
