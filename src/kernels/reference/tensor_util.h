// Shared helpers for the tensor (shape and data movement) reference kernels, and the
// registration functions of the files that implement them (called by register_tensor.cc).
// Thread-safety: free functions without shared state.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "edgerun/status.h"
#include "edgerun/tensor.h"
#include "kernels/kernel.h"

namespace edgerun {

// Per-file registration (tensor_*.cc).
void RegisterTensorCreationKernels(KernelRegistry& r);   // Constant, ConstantOfShape, EyeLike, Range, Shape, Size
void RegisterTensorReshapeKernels(KernelRegistry& r);    // Reshape, Flatten, Squeeze, Unsqueeze
void RegisterTensorTransposeKernels(KernelRegistry& r);  // Transpose, DepthToSpace, SpaceToDepth
void RegisterTensorConcatKernels(KernelRegistry& r);     // Concat, Split
void RegisterTensorSliceKernels(KernelRegistry& r);      // Slice
void RegisterTensorGatherKernels(KernelRegistry& r);     // Gather, GatherElements, GatherND
void RegisterTensorScatterKernels(KernelRegistry& r);    // Scatter, ScatterElements, ScatterND
void RegisterTensorExpandKernels(KernelRegistry& r);     // Expand, Tile
void RegisterTensorPadKernels(KernelRegistry& r);        // Pad, CenterCropPad
void RegisterTensorSelectKernels(KernelRegistry& r);     // NonZero, OneHot, Trilu, Compress, ReverseSequence
void RegisterTensorUniqueKernels(KernelRegistry& r);     // Unique

// Returns `index` wrapped once into [0, dim) when it is in [-dim, dim); otherwise
// InvalidArgument naming `what`, the index and the valid range.
Result<int64_t> WrapIndex(int64_t index, int64_t dim, const char* what);

// Reads an int32/int64 index tensor and wraps each index once into [0, dim); InvalidArgument
// naming the first index out of [-dim, dim).
Result<Dims> ReadWrappedIndices(const Tensor& t, int64_t dim);

// Walks `shape` in row-major order and tracks the offset into data of row-major `strides` with
// the coordinate along `axis` left out: GatherElements and ScatterElements add
// index * strides[axis] to base() for the element at each position.
class OffsetSkippingAxis {
 public:
  OffsetSkippingAxis(const Shape& shape, const Dims& strides, size_t axis)
      : shape_(shape), strides_(strides), axis_(axis), pos_(shape.size(), 0) {}
  int64_t base() const { return base_; }
  void Next() {
    for (size_t k = shape_.size(); k-- > 0;) {
      const int64_t step = k == axis_ ? 0 : strides_[k];
      if (++pos_[k] < shape_[k]) {
        base_ += step;
        return;
      }
      base_ -= step * (shape_[k] - 1);
      pos_[k] = 0;
    }
  }

 private:
  const Shape& shape_;
  const Dims& strides_;
  size_t axis_;
  Dims pos_;
  int64_t base_ = 0;
};

// Normalizes possibly negative axes for `rank`; InvalidArgument when one is out of range or
// (unless allow_duplicates) repeated.
Result<Dims> NormalizeAxes(const Dims& axes, int64_t rank, const char* what,
                                           bool allow_duplicates = false);

// Product of shape[begin, end).
int64_t DimProduct(const Shape& shape, size_t begin, size_t end);

// Reads a 1-D (or scalar) int32/int64 tensor; InvalidArgument naming `what` for other ranks/types.
Result<Dims> ReadInt64Vector(const Tensor& t, const char* what);

// Reads a single int32/int64 value from a scalar or one-element tensor.
Result<int64_t> ReadInt64Scalar(const Tensor& t, const char* what);

// Axes given by attribute `attr` before `input_since_opset` and by input `input_index` from then
// on. Sets *present to whether axes were given at all.
Result<Dims> AxesFromAttrOrInput(const KernelContext& ctx, const Dims& attr_axes,
                                                 bool attr_present, int opset, int input_since_opset,
                                                 size_t input_index, bool* present);

// Copies a strided view of `in` into the contiguous `out` of shape `out_shape`: element at output
// index (i0..ik) is in[sum(i_d * in_strides[d])]. Strides may be zero (broadcast) or negative.
// Covers Transpose (permuted strides), Slice (start offset and step strides) and Expand.
template <typename T>
void StridedCopy(const T* in, const Shape& out_shape, const Dims& in_strides, T* out) {
  const int64_t n = ShapeSize(out_shape);
  if (n == 0) return;
  const size_t r = out_shape.size();
  if (r == 0) {
    out[0] = in[0];
    return;
  }
  const int64_t inner = out_shape[r - 1];
  const int64_t inner_stride = in_strides[r - 1];
  Dims idx(r, 0);
  int64_t off = 0;
  for (int64_t o = 0; o < n; o += inner) {
    const T* src = in + off;
    if (inner_stride == 1) {
      std::copy(src, src + inner, out + o);
    } else {
      for (int64_t i = 0; i < inner; ++i) out[o + i] = src[i * inner_stride];
    }
    for (size_t k = r - 1; k-- > 0;) {
      if (++idx[k] < out_shape[k]) {
        off += in_strides[k];
        break;
      }
      off -= in_strides[k] * (out_shape[k] - 1);
      idx[k] = 0;
    }
  }
}

// Transposes `in` (shape in_shape) by `perm` into contiguous `out`.
template <typename T>
void PermuteCopy(const T* in, const Shape& in_shape, const Dims& perm, T* out) {
  Dims in_strides(in_shape.size(), 1);
  for (size_t k = in_shape.size(); k-- > 1;) in_strides[k - 1] = in_strides[k] * in_shape[k];
  Shape out_shape(perm.size());
  Dims strides(perm.size());
  for (size_t k = 0; k < perm.size(); ++k) {
    out_shape[k] = in_shape[static_cast<size_t>(perm[k])];
    strides[k] = in_strides[static_cast<size_t>(perm[k])];
  }
  StridedCopy(in, out_shape, strides, out);
}

}  // namespace edgerun
