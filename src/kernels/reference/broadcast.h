// Numpy-style (multidirectional) broadcasting helpers.
#pragma once

#include <initializer_list>
#include <vector>

#include "edgerun/status.h"
#include "edgerun/tensor.h"

namespace edgerun {

// Broadcast shape of all `shapes`; InvalidArgument naming both shapes when incompatible.
Result<Shape> BroadcastShapes(const Shape* shapes, size_t n);
inline Result<Shape> BroadcastShapes(std::initializer_list<Shape> shapes) {
  return BroadcastShapes(shapes.begin(), shapes.size());
}
inline Result<Shape> BroadcastShapes(const std::vector<Shape>& shapes) {
  return BroadcastShapes(shapes.data(), shapes.size());
}

// Element strides of `in` viewed as `out` (aligned right; 0 where broadcast).
Dims BroadcastStrides(const Shape& in, const Shape& out);

// Walks every element of `out_shape` in row-major order and yields, for each of N inputs, the
// element offset into that input. Usage:
//   BroadcastWalker w(out_shape, {&a.shape(), &b.shape()});
//   for (int64_t i = 0; i < n; ++i, w.Next()) out[i] = f(A[w.offset(0)], B[w.offset(1)]);
// Up to kMaxInputs inputs; no heap allocation for ranks up to Shape::kInline.
class BroadcastWalker {
 public:
  static constexpr size_t kMaxInputs = 3;
  BroadcastWalker(const Shape& out_shape, std::initializer_list<const Shape*> in_shapes)
      : BroadcastWalker(out_shape, in_shapes.begin(), in_shapes.size()) {}
  BroadcastWalker(const Shape& out_shape, const Shape* const* in_shapes, size_t n);
  int64_t offset(size_t input) const { return offsets_[input]; }
  void Next();

 private:
  Shape out_;
  size_t n_ = 0;
  Dims strides_[kMaxInputs];
  Dims index_;
  int64_t offsets_[kMaxInputs] = {};
};

// Normalizes a possibly negative axis for a tensor of `rank`; InvalidArgument when out of range.
Result<int64_t> NormalizeAxis(int64_t axis, int64_t rank, const char* what = "axis");

// Row-major strides of a shape.
Dims ContiguousStrides(const Shape& shape);

// Reads an integer tensor (int32 or int64) as int64 values; InvalidArgument otherwise.
Result<Dims> ReadInt64s(const Tensor& t, const char* what);
// Reads a numeric tensor's first element as double.
Result<double> ReadScalarAsDouble(const Tensor& t, const char* what);

}  // namespace edgerun
