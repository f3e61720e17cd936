// Reference kernels that write updates at given indices into a copy of the data:
// ScatterElements (and its deprecated alias Scatter), ScatterND; reductions none/add/mul/max/min.
// Indices may be negative (wrapped once) and are range-checked before anything is written.
// Thread-safety: kernels are immutable after creation; Run is const.
#include <type_traits>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/tensor_util.h"

namespace edgerun {
namespace {

enum class Reduction { kNone, kAdd, kMul, kMax, kMin };

Result<Reduction> ParseReduction(const ir::Node& node) {
  const std::string s = node.GetString("reduction", "none");
  if (s == "none") return Reduction::kNone;
  if (s == "add") return Reduction::kAdd;
  if (s == "mul") return Reduction::kMul;
  if (s == "max") return Reduction::kMax;
  if (s == "min") return Reduction::kMin;
  return InvalidArgument(node.Describe() + ": unknown reduction '" + s + "'");
}

// Applies `red` to the existing value `a` and the update `b`.
template <typename T>
T Combine(const T& a, const T& b, Reduction red) {
  if constexpr (std::is_same_v<T, std::string>) {
    return b;  // strings only reach here with reduction none (checked by the caller)
  } else if constexpr (std::is_same_v<T, bool>) {
    switch (red) {
      case Reduction::kAdd:
      case Reduction::kMax: return a || b;
      case Reduction::kMul:
      case Reduction::kMin: return a && b;
      default: return b;
    }
  } else if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
    const float fa = a, fb = b;
    return T(Combine<float>(fa, fb, red));
  } else {
    switch (red) {
      case Reduction::kAdd: return static_cast<T>(a + b);
      case Reduction::kMul: return static_cast<T>(a * b);
      case Reduction::kMax: return a < b ? b : a;
      case Reduction::kMin: return b < a ? b : a;
      default: return b;
    }
  }
}

Status CheckReductionType(DataType dt, Reduction red) {
  if (red != Reduction::kNone && dt == DataType::kString) {
    return InvalidArgument("reductions are not defined for string tensors");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Kernel>> MakeScatterElements(const KernelCreateContext& cc) {
  const int64_t axis_attr = cc.node.GetInt("axis", 0);
  EDGERUN_ASSIGN_OR_RETURN(Reduction red, ParseReduction(cc.node));
  return MakeFnKernel([axis_attr, red](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Tensor& updates = ctx.input(2);
    EDGERUN_RETURN_IF_ERROR(CheckReductionType(x.dtype(), red));
    if (x.rank() == 0) return InvalidArgument("data must have rank >= 1");
    if (indices.rank() != x.rank() || indices.shape() != updates.shape() || updates.dtype() != x.dtype()) {
      return InvalidArgument("indices " + ShapeToString(indices.shape()) + " and updates " +
                             ShapeToString(updates.shape()) + " must have one shape of the rank of data " +
                             ShapeToString(x.shape()) + ", and updates the type of data");
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
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), x.shape()));
    const Dims strides = ContiguousStrides(x.shape());
    const Shape& shape = indices.shape();
    return DispatchAll(x.dtype(), "ScatterElements", [&]<typename T>() -> Status {
      T* o = out->data<T>();
      std::copy(x.data<T>(), x.data<T>() + x.numel(), o);
      const T* u = updates.data<T>();
      OffsetSkippingAxis walk(shape, strides, ax);
      for (int64_t i = 0; i < updates.numel(); ++i, walk.Next()) {
        T& dst = o[walk.base() + idx[static_cast<size_t>(i)] * strides[ax]];
        dst = Combine(dst, u[i], red);
      }
      return Status::Ok();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeScatterND(const KernelCreateContext& cc) {
  EDGERUN_ASSIGN_OR_RETURN(Reduction red, ParseReduction(cc.node));
  return MakeFnKernel([red](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Tensor& updates = ctx.input(2);
    EDGERUN_RETURN_IF_ERROR(CheckReductionType(x.dtype(), red));
    if (x.rank() < 1 || indices.rank() < 1) return InvalidArgument("data and indices must have rank >= 1");
    const int64_t k = indices.shape().back();
    if (k < 1 || k > x.rank()) {
      return InvalidArgument("indices last dimension " + std::to_string(k) + " must be in [1, " +
                             std::to_string(x.rank()) + "]");
    }
    Shape want(indices.shape().begin(), indices.shape().end() - 1);
    want.insert(want.end(), x.shape().begin() + k, x.shape().end());
    if (updates.shape() != want || updates.dtype() != x.dtype()) {
      return InvalidArgument("updates shape " + ShapeToString(updates.shape()) + " should be " + ShapeToString(want) +
                             " with the type of data");
    }
    EDGERUN_ASSIGN_OR_RETURN(Dims idx, ReadInt64s(indices, "indices"));
    const Dims strides = ContiguousStrides(x.shape());
    const int64_t tuples = DimProduct(indices.shape(), 0, indices.shape().size() - 1);
    const int64_t slice = DimProduct(x.shape(), static_cast<size_t>(k), x.shape().size());
    Dims offsets(static_cast<size_t>(tuples));
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t off = 0;
      for (int64_t j = 0; j < k; ++j) {
        const size_t d = static_cast<size_t>(j);
        EDGERUN_ASSIGN_OR_RETURN(int64_t i, WrapIndex(idx[static_cast<size_t>(t * k + j)], x.shape()[d], "index"));
        off += i * strides[d];
      }
      offsets[static_cast<size_t>(t)] = off;
    }
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), x.shape()));
    return DispatchAll(x.dtype(), "ScatterND", [&]<typename T>() -> Status {
      T* o = out->data<T>();
      std::copy(x.data<T>(), x.data<T>() + x.numel(), o);
      const T* u = updates.data<T>();
      for (size_t t = 0; t < offsets.size(); ++t) {
        T* dst = o + offsets[t];
        const T* src = u + static_cast<int64_t>(t) * slice;
        for (int64_t e = 0; e < slice; ++e) dst[e] = Combine(dst[e], src[e], red);
      }
      return Status::Ok();
    });
  });
}

}  // namespace

void RegisterTensorScatterKernels(KernelRegistry& r) {
  r.Register("Scatter", MakeScatterElements);
  r.Register("ScatterElements", MakeScatterElements);
  r.Register("ScatterND", MakeScatterND);
}

}  // namespace edgerun
