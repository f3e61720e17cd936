// CumSum reference kernel: cumulative sum along the axis given by input 1 (an int32/int64
// scalar or 1-element tensor), with `exclusive` and `reverse` attributes. Floating inputs
// accumulate in double; integers wrap like the narrow type.
#include <vector>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/math_check.h"
#include "kernels/reference/math_kernels.h"
#include "kernels/reference/reduce_walk.h"

namespace edgerun {
namespace {

struct CumSumAttrs {
  bool exclusive = false;
  bool reverse = false;
};

template <typename T>
void CumSumRows(const CumSumAttrs& at, const AxisSplit& s, const T* in, T* out) {
  using Acc = std::conditional_t<std::is_integral_v<T>, uint64_t, double>;
  using Wide = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
  auto to_acc = [](T v) -> Acc {
    if constexpr (std::is_integral_v<T>) {
      return static_cast<Acc>(static_cast<Wide>(v));
    } else if constexpr (std::is_same_v<T, double>) {
      return v;
    } else {
      return static_cast<double>(static_cast<float>(v));
    }
  };
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      const int64_t base = o * s.axis * s.inner + i;
      Acc sum{};
      for (int64_t j = 0; j < s.axis; ++j) {
        const int64_t a = at.reverse ? s.axis - 1 - j : j;
        const int64_t off = base + a * s.inner;
        const Acc v = to_acc(in[off]);
        if (!at.exclusive) sum += v;
        out[off] = static_cast<T>(sum);
        if (at.exclusive) sum += v;
      }
    }
  }
}

Status CumSumRun(const CumSumAttrs& at, KernelContext& ctx) {
  EDGERUN_RETURN_IF_ERROR(CheckTensorInputs(ctx, 2, "CumSum"));
  const Tensor& x = ctx.input(0);
  if (!ctx.has_input(1)) return InvalidArgument("CumSum needs input axis");
  Dims axis_v;
  EDGERUN_ASSIGN_OR_RETURN(axis_v, ReadInt64s(ctx.input(1), "CumSum axis"));
  if (axis_v.size() != 1 || ctx.input(1).rank() > 1) {
    return InvalidArgument("CumSum axis must be a scalar, got shape " + ShapeToString(ctx.input(1).shape()));
  }
  if (x.rank() == 0) return InvalidArgument("CumSum input must have rank >= 1");
  int64_t axis;
  EDGERUN_ASSIGN_OR_RETURN(axis, NormalizeAxis(axis_v[0], x.rank()));
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), x.shape()));
  if (x.numel() == 0) return Status::Ok();
  const AxisSplit s = SplitAtAxis(x.shape(), axis);
  return DispatchNumeric(x.dtype(), "CumSum", [&]<typename T>() -> Status {
    CumSumRows<T>(at, s, x.data<T>(), y->data<T>());
    return Status::Ok();
  });
}

}  // namespace

void RegisterCumSumKernels(KernelRegistry& r) {
  r.Register("CumSum", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    CumSumAttrs at;
    at.exclusive = kc.node.GetInt("exclusive", 0) != 0;
    at.reverse = kc.node.GetInt("reverse", 0) != 0;
    return MakeFnKernel([at](KernelContext& ctx) { return CumSumRun(at, ctx); });
  });
}

}  // namespace edgerun
