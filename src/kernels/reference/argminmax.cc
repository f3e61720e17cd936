// ArgMax and ArgMin reference kernels: int64 indices along `axis` (default 0), keepdims
// (default 1), select_last_index (opset >= 12; ties pick the first index otherwise). A NaN
// counts as the extreme value, as in numpy.
#include <cmath>
#include <vector>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/math_check.h"
#include "kernels/reference/math_kernels.h"
#include "kernels/reference/reduce_walk.h"

namespace edgerun {
namespace {

struct ArgAttrs {
  const char* name = "";
  bool is_max = true;
  int64_t axis = 0;
  bool keepdims = true;
  bool select_last = false;
};

template <typename T>
bool IsNan(T v) {
  if constexpr (std::is_integral_v<T>) {
    return false;
  } else {
    return std::isnan(static_cast<double>(v));
  }
}

// True when `v` should replace the current best `best`.
template <typename T>
bool Better(const ArgAttrs& at, T v, T best) {
  if (IsNan(best)) return false;
  if (IsNan(v)) return true;
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
    return Better<float>(at, static_cast<float>(v), static_cast<float>(best));
  } else {
    if (at.select_last) return at.is_max ? v >= best : v <= best;
    return at.is_max ? v > best : v < best;
  }
}

template <typename T>
void ArgReduce(const ArgAttrs& at, const AxisSplit& s, const T* in, int64_t* out) {
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      const T* p = in + o * s.axis * s.inner + i;
      int64_t best = 0;
      for (int64_t a = 1; a < s.axis; ++a) {
        if (Better(at, p[a * s.inner], p[best * s.inner])) best = a;
      }
      out[o * s.inner + i] = best;
    }
  }
}

Status ArgRun(const ArgAttrs& at, KernelContext& ctx) {
  EDGERUN_RETURN_IF_ERROR(CheckTensorInputs(ctx, 1, at.name));
  const Tensor& x = ctx.input(0);
  int64_t axis;
  EDGERUN_ASSIGN_OR_RETURN(axis, NormalizeAxis(at.axis, x.rank()));
  AxisSplit s = x.rank() == 0 ? AxisSplit{} : SplitAtAxis(x.shape(), axis);
  if (s.axis == 0 && s.outer * s.inner > 0) {
    return InvalidArgument(std::string(at.name) + " over an empty axis (input shape " + ShapeToString(x.shape()) + ")");
  }
  Shape out_shape;
  for (int64_t d = 0; d < x.rank(); ++d) {
    if (d != axis) out_shape.push_back(x.dim(d));
    else if (at.keepdims) out_shape.push_back(1);
  }
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, DataType::kInt64, out_shape));
  if (y->numel() == 0) return Status::Ok();
  return DispatchNumeric(x.dtype(), at.name, [&]<typename T>() -> Status {
    ArgReduce<T>(at, s, x.data<T>(), y->data<int64_t>());
    return Status::Ok();
  });
}

void RegisterArg(KernelRegistry& r, const char* name, bool is_max) {
  r.Register(name, [name, is_max](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    ArgAttrs at;
    at.name = name;
    at.is_max = is_max;
    at.axis = kc.node.GetInt("axis", 0);
    at.keepdims = kc.node.GetInt("keepdims", 1) != 0;
    at.select_last = kc.node.GetInt("select_last_index", 0) != 0;
    return MakeFnKernel([at](KernelContext& ctx) { return ArgRun(at, ctx); });
  });
}

}  // namespace

void RegisterArgMinMaxKernels(KernelRegistry& r) {
  RegisterArg(r, "ArgMax", true);
  RegisterArg(r, "ArgMin", false);
}

}  // namespace edgerun
