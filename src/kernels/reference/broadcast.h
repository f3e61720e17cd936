// Numpy-style (multidirectional) broadcasting helpers.
#pragma once

#include <vector>

#include "edgerun/status.h"
#include "edgerun/tensor.h"

namespace edgerun {

// Broadcast shape of all `shapes`; InvalidArgument naming both shapes when incompatible.
Result<Shape> BroadcastShapes(const std::vector<Shape>& shapes);

// Element strides of `in` viewed as `out` (aligned right; 0 where broadcast).
std::vector<int64_t> BroadcastStrides(const Shape& in, const Shape& out);

// Walks every element of `out_shape` in row-major order and yields, for each of N inputs, the
// element offset into that input. Usage:
//   BroadcastWalker w(out_shape, {a.shape(), b.shape()});
//   for (int64_t i = 0; i < n; ++i, w.Next()) out[i] = f(A[w.offset(0)], B[w.offset(1)]);
class BroadcastWalker {
 public:
  BroadcastWalker(const Shape& out_shape, const std::vector<Shape>& in_shapes);
  int64_t offset(size_t input) const { return offsets_[input]; }
  void Next();

 private:
  Shape out_;
  std::vector<std::vector<int64_t>> strides_;
  std::vector<int64_t> index_;
  std::vector<int64_t> offsets_;
};

// Normalizes a possibly negative axis for a tensor of `rank`; InvalidArgument when out of range.
Result<int64_t> NormalizeAxis(int64_t axis, int64_t rank, const char* what = "axis");

// Row-major strides of a shape.
std::vector<int64_t> ContiguousStrides(const Shape& shape);

// Reads an integer tensor (int32 or int64) as int64 values; InvalidArgument otherwise.
Result<std::vector<int64_t>> ReadInt64s(const Tensor& t, const char* what);
// Reads a numeric tensor's first element as double.
Result<double> ReadScalarAsDouble(const Tensor& t, const char* what);

}  // namespace edgerun
