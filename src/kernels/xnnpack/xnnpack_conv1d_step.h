// 1-D convolutions of an XNNPACK plan run by the in-place GEMM kernel (conv1d_gemm.h).
//
// Rule (numbers in xnnpack_conv1d_step.cc): a convolution takes this path when it is 1-D, group 1,
// has at least 8 output channels, is under 4 MFLOP (the size oneDNN runs on one thread anyway;
// larger ones were not measured here and stay on oneDNN), its activation is a clamp (none, Relu,
// Clip), and the CPU has AVX2 and FMA. EDGERUN_CONV1D=0 turns it off.
//
// A MaxPool of window 2, stride 2 and no padding that reads only such a convolution's output is
// folded into its store (FuseConv1dMaxPool2).
//
// The step reads the plan's NWC buffers (any pixel stride) and can write its output as a channel
// slice; bias, FusedConv's residual Z and the clamp are fused. In sessions with 2+ threads it is
// split by output positions over oneDNN's OpenMP team (from 0.1 MFLOP; numbers in the .cc), else
// it runs on the calling thread.
// Thread-safety: a step is used by one plan at a time (its owner serializes runs).
#pragma once

#include <cstdint>
#include <string>

#include "kernels/xnnpack/xnnpack_mappers.h"

namespace edgerun::xnn {

struct Conv1dStepParams : FusedConvOperands {  // weights: ONNX OIW [m][c][kernel]
  int64_t c = 0, m = 0, kernel = 1, stride = 1, dilation = 1, pad_left = 0, pad_right = 0;
};

// True when the rule above sends a 1-D group-1 convolution of this size here.
bool Conv1dApplies(int64_t c, int64_t m, int64_t kernel, int64_t out_w);

// Adds the step reading x (NCW shape [n, c, w], and z when params.has_z) and writing a new value
// of `out_shape` ([n, m, out_w]); returns the output value.
int AddConv1d(BuildContext& ctx, const std::string& what, int x, int z, const Shape& out_shape,
              const Conv1dStepParams& params);

// Folds MaxPool(kernel 2, stride 2, no pads, dilation 1) of value y into the conv1d step writing
// y, when there is one (the caller checks that nothing else reads y): y then holds the pooled
// [n, m, pooled_w]. Returns false, changing nothing, otherwise.
bool FuseConv1dMaxPool2(BuildContext& ctx, int y, bool ceil_mode);

// Conv1d steps planned since process start (for tests).
int64_t Conv1dSteps();

}  // namespace edgerun::xnn
