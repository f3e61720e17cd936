// Variadic reference kernels with numpy broadcasting across all inputs: Min, Max (numeric;
// NaN propagates like numpy), Sum, Mean (floating). Results accumulate in ComputeType<T>.
// Thread-safety: kernels are const and stateless.
#include <cmath>
#include <vector>

#include "kernels/reference/elementwise_common.h"

namespace edgerun::elementwise {
namespace {

enum class Reduce { kMin, kMax, kSum, kMean };

template <Reduce kOp, typename C>
C Combine(C acc, C v) {
  if constexpr (kOp == Reduce::kSum || kOp == Reduce::kMean) {
    return WrapAdd(acc, v);
  } else {
    if constexpr (std::is_floating_point_v<C>) {
      if (std::isnan(acc) || std::isnan(v)) return std::isnan(acc) ? acc : v;
    }
    if constexpr (kOp == Reduce::kMin) {
      return v < acc ? v : acc;
    } else {
      return v > acc ? v : acc;
    }
  }
}

template <Reduce kOp>
Status RunVariadic(KernelContext& ctx, const char* name) {
  const size_t count = ctx.num_inputs();
  std::vector<Shape> shapes;
  for (size_t i = 0; i < count; ++i) {
    if (!ctx.has_input(i)) return InvalidArgument("input " + std::to_string(i) + " is missing");
    shapes.push_back(ctx.input(i).shape());
  }
  EDGERUN_RETURN_IF_ERROR(CheckSameDTypes(ctx, 0, count));
  EDGERUN_ASSIGN_OR_RETURN(Shape os, BroadcastShapes(shapes));
  const DataType dt = ctx.input(0).dtype();
  constexpr TypeSet kTypes = (kOp == Reduce::kMin || kOp == Reduce::kMax) ? TypeSet::kNumeric : TypeSet::kFloat;
  return DispatchTypeSet<kTypes>(dt, name, [&]<typename T>() -> Status {
    using C = ComputeType<T>;
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, dt, os));
    const int64_t n = out->numel();
    std::vector<C> acc(static_cast<size_t>(n));
    for (size_t k = 0; k < count; ++k) {
      const Tensor& in = ctx.input(k);
      const T* p = in.data<T>();
      const bool first = k == 0;
      auto apply = [&](int64_t i, const T& v) {
        acc[i] = first ? static_cast<C>(v) : Combine<kOp, C>(acc[i], static_cast<C>(v));
      };
      if (in.numel() == n) {
        for (int64_t i = 0; i < n; ++i) apply(i, p[i]);
        continue;
      }
      ForEachBroadcastRow<1>(os, {&in.shape()}, [&](int64_t o, const std::array<int64_t, 1>& off,
                                                    const std::array<int64_t, 1>& st, int64_t len) {
        for (int64_t i = 0; i < len; ++i) apply(o + i, p[off[0] + i * st[0]]);
      });
    }
    T* po = out->data<T>();
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (kOp == Reduce::kMean) {
        po[i] = static_cast<T>(acc[i] / static_cast<C>(count));
      } else {
        po[i] = static_cast<T>(acc[i]);
      }
    }
    return Status::Ok();
  });
}

template <Reduce kOp>
void RegisterVariadic(KernelRegistry& r, const char* op) {
  r.Register(op, [op](const KernelCreateContext& c) -> Result<std::unique_ptr<Kernel>> {
    if (c.node.inputs.empty()) return InvalidArgument(c.node.Describe() + ": needs at least one input");
    return MakeFnKernel([op](KernelContext& ctx) { return RunVariadic<kOp>(ctx, op); });
  });
}

}  // namespace

void RegisterVariadicKernels(KernelRegistry& r) {
  RegisterVariadic<Reduce::kMin>(r, "Min");
  RegisterVariadic<Reduce::kMax>(r, "Max");
  RegisterVariadic<Reduce::kSum>(r, "Sum");
  RegisterVariadic<Reduce::kMean>(r, "Mean");
}

}  // namespace edgerun::elementwise
