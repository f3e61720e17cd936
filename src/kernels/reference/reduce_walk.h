// Iteration helpers shared by the reduction-like reference kernels (Reduce*, ArgMax/ArgMin,
// Softmax, TopK, CumSum, losses). Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "edgerun/tensor.h"

namespace edgerun {

// An input shape with some axes reduced, with dims of size 1 dropped and neighbouring dims of
// the same kind merged. out_strides[d] is 0 for reduced dims and the element stride of the
// (kept-dims-only, row-major) output for kept dims.
struct ReducePlan {
  Dims dims;
  Dims out_strides;
  bool empty = false;  // the input has no elements
};

ReducePlan MakeReducePlan(const Shape& in_shape, const Dims& reduced);

// Calls f(input_offset, output_offset) for every input element in row-major order.
template <typename F>
void WalkReduction(const ReducePlan& p, F&& f) {
  if (p.empty) return;
  const size_t r = p.dims.size();
  if (r == 0) {
    f(int64_t{0}, int64_t{0});
    return;
  }
  Dims idx(r, 0);
  const int64_t inner = p.dims[r - 1];
  const int64_t inner_stride = p.out_strides[r - 1];
  int64_t in = 0;
  int64_t out = 0;
  for (;;) {
    for (int64_t j = 0; j < inner; ++j) f(in + j, out + j * inner_stride);
    in += inner;
    size_t k = r - 1;
    for (;;) {
      if (k == 0) return;
      --k;
      if (++idx[k] < p.dims[k]) {
        out += p.out_strides[k];
        break;
      }
      out -= p.out_strides[k] * (p.dims[k] - 1);
      idx[k] = 0;
    }
  }
}

// A shape split around one axis: outer x axis x inner elements (row-major).
struct AxisSplit {
  int64_t outer = 1;
  int64_t axis = 1;
  int64_t inner = 1;
};

// Precondition: 0 <= axis < shape.size().
AxisSplit SplitAtAxis(const Shape& shape, int64_t axis);

}  // namespace edgerun
