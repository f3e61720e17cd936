// Reference GlobalAveragePool, GlobalMaxPool and GlobalLpPool: reduce every spatial dim of an
// (N, C, spatial...) tensor to 1. Thread-safety: kernels are immutable after creation.
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "kernels/reference/conv_util.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/pool.h"

namespace edgerun {
namespace {

enum class GlobalKind { kAverage, kMax, kLp };

KernelFactory GlobalPoolFactory(GlobalKind kind, const char* op) {
  return [kind, op](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    double p = 2.0;
    if (kind == GlobalKind::kLp) {
      const ir::Attribute* a = kc.node.FindAttribute("p");
      if (a != nullptr) p = a->type == ir::Attribute::Type::kFloat ? static_cast<double>(a->f) : static_cast<double>(a->i);
      if (!(p > 0)) return InvalidArgument(kc.node.Describe() + ": p must be positive");
    }
    return MakeFnKernel([kind, op, p](KernelContext& ctx) -> Status {
      if (!ctx.has_input(0)) return InvalidArgument("missing input X");
      const Tensor& x = ctx.input(0);
      if (x.rank() < 2) return InvalidArgument("X must have rank >= 2 (N, C, spatial...), got " + ShapeToString(x.shape()));
      Shape y_shape = x.shape();
      for (size_t d = 2; d < y_shape.size(); ++d) y_shape[d] = 1;
      Tensor* y;
      EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), y_shape));
      const int64_t planes = x.dim(0) * x.dim(1);
      const int64_t size = planes == 0 ? 0 : x.numel() / planes;
      return DispatchFloat(x.dtype(), op, [&]<typename T>() -> Status {
        using V = NnComputeType<T>;
        const T* xp = x.data<T>();
        T* yp = y->data<T>();
        for (int64_t pl = 0; pl < planes; ++pl) {
          const T* src = xp + pl * size;
          double acc = 0;
          if (kind == GlobalKind::kMax) {
            V best = size > 0 ? static_cast<V>(src[0]) : V(0);
            for (int64_t i = 1; i < size; ++i) best = std::max(best, static_cast<V>(src[i]));
            acc = static_cast<double>(best);
          } else if (kind == GlobalKind::kAverage) {
            for (int64_t i = 0; i < size; ++i) acc += static_cast<double>(static_cast<V>(src[i]));
            acc = size > 0 ? acc / static_cast<double>(size) : 0.0;
          } else {
            for (int64_t i = 0; i < size; ++i) acc += std::pow(std::fabs(static_cast<double>(static_cast<V>(src[i]))), p);
            acc = std::pow(acc, 1.0 / p);
          }
          if constexpr (std::is_same_v<T, double>) {
            yp[pl] = acc;
          } else {
            yp[pl] = T(static_cast<float>(acc));
          }
        }
        return Status::Ok();
      });
    });
  };
}

}  // namespace

void RegisterGlobalPoolKernels(KernelRegistry& r) {
  r.Register("GlobalAveragePool", GlobalPoolFactory(GlobalKind::kAverage, "GlobalAveragePool"));
  r.Register("GlobalMaxPool", GlobalPoolFactory(GlobalKind::kMax, "GlobalMaxPool"));
  r.Register("GlobalLpPool", GlobalPoolFactory(GlobalKind::kLp, "GlobalLpPool"));
}

}  // namespace edgerun
