// Iteration helpers shared by the reduction-like reference kernels.
#include "kernels/reference/reduce_walk.h"

namespace edgerun {

ReducePlan MakeReducePlan(const Shape& in_shape, const Dims& reduced) {
  ReducePlan p;
  for (int64_t d : in_shape) p.empty = p.empty || d == 0;
  if (p.empty) return p;
  Dims kinds;  // per merged dim: reduced (1) or kept (0)
  for (size_t d = 0; d < in_shape.size(); ++d) {
    if (in_shape[d] == 1) continue;
    if (!kinds.empty() && (kinds.back() != 0) == (reduced[d] != 0)) {
      p.dims.back() *= in_shape[d];
    } else {
      p.dims.push_back(in_shape[d]);
      kinds.push_back(reduced[d] != 0);
    }
  }
  p.out_strides.assign(p.dims.size(), 0);
  int64_t stride = 1;
  for (size_t d = p.dims.size(); d-- > 0;) {
    if (kinds[d]) continue;
    p.out_strides[d] = stride;
    stride *= p.dims[d];
  }
  return p;
}

AxisSplit SplitAtAxis(const Shape& shape, int64_t axis) {
  AxisSplit s;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < axis) s.outer *= shape[d];
    else if (d == axis) s.axis = shape[d];
    else s.inner *= shape[d];
  }
  return s;
}

}  // namespace edgerun
