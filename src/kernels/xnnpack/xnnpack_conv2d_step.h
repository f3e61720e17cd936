// 2-D group-1 convolutions of an XNNPACK plan run by the in-place GEMM kernel (conv2d_gemm.h).
//
// Rule (numbers in xnnpack_conv2d_step.cc): a 2-D convolution takes this path when it is group 1,
// not 1x1 (oneDNN's 1x1 kernel is faster; 1x1 only when its output is a channel slice of a Concat,
// which this step writes in place), has at least 16 input and 16 output channels (a tap's
// run of input channels is the GEMM's inner loop), is not taken by Winograd, its activation is a
// clamp (none, Relu, Clip), and the CPU has AVX2 and FMA. EDGERUN_CONV2D=0 turns it off.
//
// The step reads the plan's NHWC buffers (any pixel stride) and can write its output as a channel
// slice; bias, FusedConv's residual Z and the clamp are fused. In sessions with 2+ threads it is
// split over oneDNN's OpenMP team, by pixels or by output channels (conv2d_gemm.h).
// Thread-safety: a step is used by one plan at a time (its owner serializes runs).
#pragma once

#include <cstdint>
#include <string>

#include "kernels/xnnpack/xnnpack_mappers.h"

namespace edgerun::xnn {

struct Conv2dStepParams : FusedConvOperands {  // weights: ONNX OIHW [m][c][kernel_h][kernel_w]
  int64_t c = 0, m = 0, kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
};

// True when the rule above sends a 2-D group-1 convolution of this size here.
bool Conv2dApplies(int64_t c, int64_t m, int64_t kernel_h, int64_t kernel_w);
// The same for a 1x1 stride-1 convolution whose output is a channel slice of a Concat (the caller
// checks that): the in-place slice write saves the concat's copy, which outweighs oneDNN's faster
// 1x1 kernel (numbers in xnnpack_conv2d_step.cc).
bool Conv2dAppliesPointwise(int64_t c, int64_t m);

// Adds the step reading x (NCHW shape [n, c, h, w], and z when params.has_z) and writing a new
// value of `out_shape` ([n, m, out_h, out_w]); returns the output value.
int AddConv2d(BuildContext& ctx, const std::string& what, int x, int z, const Shape& out_shape,
              const Conv2dStepParams& params);

// Conv2d steps planned since process start (for tests).
int64_t Conv2dSteps();

}  // namespace edgerun::xnn
