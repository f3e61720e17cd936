// Reference kernels that read elements at given indices: Gather, GatherElements, GatherND.
// Indices may be negative (wrapped once) and are range-checked before any element is read.
// Thread-safety: kernels are immutable after creation; Run is const.
#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/tensor_util.h"

namespace edgerun {
namespace {

Result<std::unique_ptr<Kernel>> MakeGather(const KernelCreateContext& cc) {
  const int64_t axis_attr = cc.node.GetInt("axis", 0);
  return MakeFnKernel([axis_attr](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    if (x.rank() == 0) return InvalidArgument("data must have rank >= 1");
    EDGERUN_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(axis_attr, x.rank()));
    const size_t ax = static_cast<size_t>(axis);
    const int64_t dim = x.shape()[ax];
    EDGERUN_ASSIGN_OR_RETURN(Dims idx, ReadWrappedIndices(indices, dim));
    Shape out_shape(x.shape().begin(), x.shape().begin() + axis);
    out_shape.insert(out_shape.end(), indices.shape().begin(), indices.shape().end());
    out_shape.insert(out_shape.end(), x.shape().begin() + axis + 1, x.shape().end());
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), out_shape));
    const int64_t outer = DimProduct(x.shape(), 0, ax);
    const int64_t inner = DimProduct(x.shape(), ax + 1, x.shape().size());
    const int64_t n = static_cast<int64_t>(idx.size());
    return DispatchBySize(x.dtype(), "Gather", [&]<typename T>() -> Status {
      const T* src = x.data<T>();
      T* o = out->data<T>();
      for (int64_t k = 0; k < outer; ++k) {
        for (int64_t j = 0; j < n; ++j) {
          const T* from = src + (k * dim + idx[static_cast<size_t>(j)]) * inner;
          std::copy(from, from + inner, o + (k * n + j) * inner);
        }
      }
      return Status::Ok();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeGatherElements(const KernelCreateContext& cc) {
  const int64_t axis_attr = cc.node.GetInt("axis", 0);
  return MakeFnKernel([axis_attr](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    if (x.rank() == 0) return InvalidArgument("data must have rank >= 1");
    if (indices.rank() != x.rank()) {
      return InvalidArgument("indices rank " + std::to_string(indices.rank()) + " differs from data rank " +
                             std::to_string(x.rank()));
    }
    EDGERUN_ASSIGN_OR_RETURN(int64_t axis, NormalizeAxis(axis_attr, x.rank()));
    const size_t ax = static_cast<size_t>(axis);
    for (size_t d = 0; d < x.shape().size(); ++d) {
      if (d != ax && indices.shape()[d] > x.shape()[d]) {
        return InvalidArgument("indices shape " + ShapeToString(indices.shape()) + " exceeds data shape " +
                               ShapeToString(x.shape()) + " outside axis " + std::to_string(axis));
      }
    }
    EDGERUN_ASSIGN_OR_RETURN(Dims idx, ReadWrappedIndices(indices, x.shape()[ax]));
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), indices.shape()));
    if (out->numel() == 0) return Status::Ok();
    const Dims strides = ContiguousStrides(x.shape());
    const Shape& shape = indices.shape();
    return DispatchBySize(x.dtype(), "GatherElements", [&]<typename T>() -> Status {
      const T* src = x.data<T>();
      T* o = out->data<T>();
      OffsetSkippingAxis walk(shape, strides, ax);
      for (int64_t i = 0; i < out->numel(); ++i, walk.Next()) {
        o[i] = src[walk.base() + idx[static_cast<size_t>(i)] * strides[ax]];
      }
      return Status::Ok();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeGatherND(const KernelCreateContext& cc) {
  const int64_t b = cc.node.GetInt("batch_dims", 0);
  if (b < 0) return InvalidArgument(cc.node.Describe() + ": attribute 'batch_dims' must be >= 0");
  return MakeFnKernel([b](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const int64_t r = x.rank(), q = indices.rank();
    if (r < 1 || q < 1) return InvalidArgument("data and indices must have rank >= 1");
    if (b >= std::min(r, q)) {
      return InvalidArgument("batch_dims " + std::to_string(b) + " must be less than both ranks (" + std::to_string(r) +
                             ", " + std::to_string(q) + ")");
    }
    const size_t bs = static_cast<size_t>(b);
    for (size_t d = 0; d < bs; ++d) {
      if (x.shape()[d] != indices.shape()[d]) {
        return InvalidArgument("batch dimensions of data " + ShapeToString(x.shape()) + " and indices " +
                               ShapeToString(indices.shape()) + " differ");
      }
    }
    const int64_t k = indices.shape().back();
    if (k < 1 || k > r - b) {
      return InvalidArgument("indices last dimension " + std::to_string(k) + " must be in [1, " +
                             std::to_string(r - b) + "]");
    }
    EDGERUN_ASSIGN_OR_RETURN(Dims idx, ReadInt64s(indices, "indices"));
    Shape out_shape(indices.shape().begin(), indices.shape().end() - 1);
    out_shape.insert(out_shape.end(), x.shape().begin() + b + k, x.shape().end());
    const Dims strides = ContiguousStrides(x.shape());
    const int64_t batches = DimProduct(x.shape(), 0, bs);
    const int64_t batch_stride = DimProduct(x.shape(), bs, x.shape().size());
    const int64_t tuples = DimProduct(indices.shape(), bs, indices.shape().size() - 1);
    const int64_t slice = DimProduct(x.shape(), static_cast<size_t>(b + k), x.shape().size());
    // Data offset of every index tuple, validated before any copy.
    Dims offsets(static_cast<size_t>(batches * tuples));
    for (int64_t t = 0; t < batches * tuples; ++t) {
      int64_t off = (t / std::max<int64_t>(tuples, 1)) * batch_stride;
      for (int64_t j = 0; j < k; ++j) {
        const size_t d = static_cast<size_t>(b + j);
        EDGERUN_ASSIGN_OR_RETURN(int64_t i, WrapIndex(idx[static_cast<size_t>(t * k + j)], x.shape()[d], "index"));
        off += i * strides[d];
      }
      offsets[static_cast<size_t>(t)] = off;
    }
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), out_shape));
    return DispatchBySize(x.dtype(), "GatherND", [&]<typename T>() -> Status {
      const T* src = x.data<T>();
      T* o = out->data<T>();
      for (size_t t = 0; t < offsets.size(); ++t) {
        std::copy(src + offsets[t], src + offsets[t] + slice, o + static_cast<int64_t>(t) * slice);
      }
      return Status::Ok();
    });
  });
}

}  // namespace

void RegisterTensorGatherKernels(KernelRegistry& r) {
  r.Register("Gather", MakeGather);
  r.Register("GatherElements", MakeGatherElements);
  r.Register("GatherND", MakeGatherND);
}

}  // namespace edgerun
