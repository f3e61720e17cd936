// An XNNPACK convolution split into horizontal bands of output rows, one XNNPACK operator per
// band, run on oneDNN's OpenMP team (one band per thread, each operator on its thread alone).
//
// Why: a plan that runs oneDNN steps runs its XNNPACK steps on the calling thread (oneDNN's
// OpenMP workers and XNNPACK's pthreadpool workers would spin against each other); at 2 threads
// mobilenet_v2's depthwise convolutions were then single-threaded, about 30% of the run.
// Thread-safety: a step is used by one plan at a time (its owner serializes runs).
#pragma once

#include <cstdint>
#include <string>

#include "kernels/reference/conv_geometry.h"
#include "kernels/xnnpack/xnnpack_plan.h"

namespace edgerun::xnn {

struct BandedConvParams {
  WindowGeometry geo;              // 2-D (H, W)
  int64_t group = 1, cg = 0, m = 0;  // groups, input channels per group, output channels
  const float* weights = nullptr;  // OHWI as XNNPACK takes them, alive until the plan is finalized
  const float* bias = nullptr;     // [m] or nullptr, alive until the plan is finalized
  float lo = kNoMin, hi = kNoMax;  // output clamp
  int bands = 2;                   // threads of the OpenMP team
};

// Adds the step reading x (batch 1) and writing a new value of `out_shape`; returns the output value.
int AddBandedConv(Plan& plan, const std::string& what, int x, const Shape& out_shape, const BandedConvParams& params);

// Banded convolution steps planned since process start (for tests).
int64_t BandedConvSteps();

}  // namespace edgerun::xnn
