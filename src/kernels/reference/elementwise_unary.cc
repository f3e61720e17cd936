// Unary math and logic reference kernels: Abs, Neg, Reciprocal, Sqrt, Exp, Log, Ceil, Floor,
// Round, Sign, trigonometric and hyperbolic functions, Erf, IsNaN, IsInf, Not, BitwiseNot.
// Float16/bfloat16 compute in float. Thread-safety: kernels are const and stateless.
#include <cmath>

#include <algorithm>
#include <memory>

#include "kernels/reference/elementwise_common.h"
#include "kernels/reference/vector_math.h"

namespace edgerun::elementwise {
namespace {

// y = pred(x) with a bool output, for floating dtypes.
template <typename Pred>
void RegisterFloatPredicate(KernelRegistry& r, const char* op, Pred make_pred) {
  r.Register(op, [op, make_pred](const KernelCreateContext& c) -> Result<std::unique_ptr<Kernel>> {
    EDGERUN_RETURN_IF_ERROR(CheckInputCount(c.node, 1, 1));
    auto pred = make_pred(c.node);
    return MakeFnKernel([op, pred](KernelContext& ctx) -> Status {
      const Tensor& x = ctx.input(0);
      return DispatchFloat(x.dtype(), op, [&]<typename T>() -> Status {
        EDGERUN_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kBool, x.shape()));
        const T* px = x.data<T>();
        bool* py = y->data<bool>();
        for (int64_t i = 0, n = x.numel(); i < n; ++i) py[i] = pred(static_cast<ComputeType<T>>(px[i]));
        return Status::Ok();
      });
    });
  });
}

void RegisterLogicUnary(KernelRegistry& r) {
  r.Register("Not", [](const KernelCreateContext& c) -> Result<std::unique_ptr<Kernel>> {
    EDGERUN_RETURN_IF_ERROR(CheckInputCount(c.node, 1, 1));
    return MakeFnKernel([](KernelContext& ctx) -> Status {
      const Tensor& x = ctx.input(0);
      if (x.dtype() != DataType::kBool) return UnsupportedDType("Not", x.dtype());
      EDGERUN_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DataType::kBool, x.shape()));
      const bool* px = x.data<bool>();
      bool* py = y->data<bool>();
      for (int64_t i = 0, n = x.numel(); i < n; ++i) py[i] = !px[i];
      return Status::Ok();
    });
  });
  RegisterUnary<TypeSet::kInt>(r, "BitwiseNot", [](auto x) { return static_cast<decltype(x)>(~x); });
}

}  // namespace

void RegisterUnaryMathKernels(KernelRegistry& r) {
  RegisterUnary<TypeSet::kNumeric>(r, "Abs", [](auto x) -> decltype(x) {
    using V = decltype(x);
    if constexpr (std::is_floating_point_v<V>) {
      return std::fabs(x);
    } else if constexpr (std::is_signed_v<V>) {
      return x < 0 ? WrapNeg(x) : x;
    } else {
      return x;
    }
  });
  RegisterUnary<TypeSet::kSignedNumeric>(r, "Neg", [](auto x) { return WrapNeg(x); });
  RegisterUnary<TypeSet::kNumeric>(r, "Sign", [](auto x) -> decltype(x) {
    using V = decltype(x);
    if constexpr (std::is_floating_point_v<V>) {
      if (std::isnan(x)) return x;
    }
    if constexpr (std::is_signed_v<V>) {
      if (x < V(0)) return static_cast<V>(-1);
    }
    return x > V(0) ? V(1) : V(0);
  });
  RegisterUnary<TypeSet::kFloat>(r, "Reciprocal", [](auto x) { return decltype(x)(1) / x; });
  RegisterUnary<TypeSet::kFloat>(r, "Sqrt", [](auto x) { return std::sqrt(x); });
  RegisterUnary<TypeSet::kFloat>(r, "Exp", [](auto x) { return std::exp(x); });
  RegisterUnary<TypeSet::kFloat>(r, "Log", [](auto x) { return std::log(x); });
  RegisterUnary<TypeSet::kFloat>(r, "Ceil", [](auto x) { return std::ceil(x); });
  RegisterUnary<TypeSet::kFloat>(r, "Floor", [](auto x) { return std::floor(x); });
  // Round half to even: nearbyint under the default rounding mode.
  RegisterUnary<TypeSet::kFloat>(r, "Round", [](auto x) { return std::nearbyint(x); });
  RegisterUnary<TypeSet::kFloat>(r, "Sin", [](auto x) { return std::sin(x); });
  RegisterUnary<TypeSet::kFloat>(r, "Cos", [](auto x) { return std::cos(x); });
  RegisterUnary<TypeSet::kFloat>(r, "Tan", [](auto x) { return std::tan(x); });
  RegisterUnary<TypeSet::kFloat>(r, "Asin", [](auto x) { return std::asin(x); });
  RegisterUnary<TypeSet::kFloat>(r, "Acos", [](auto x) { return std::acos(x); });
  RegisterUnary<TypeSet::kFloat>(r, "Atan", [](auto x) { return std::atan(x); });
  RegisterUnary<TypeSet::kFloat>(r, "Sinh", [](auto x) { return std::sinh(x); });
  RegisterUnary<TypeSet::kFloat>(r, "Cosh", [](auto x) { return std::cosh(x); });
  RegisterUnary<TypeSet::kFloat>(r, "Asinh", [](auto x) { return std::asinh(x); });
  RegisterUnary<TypeSet::kFloat>(r, "Acosh", [](auto x) { return std::acosh(x); });
  RegisterUnary<TypeSet::kFloat>(r, "Atanh", [](auto x) { return std::atanh(x); });
  // Erf accepts integers from opset 13: computed in double, then truncated. Float tensors take the
  // vectorized ErfInPlace (vector_math.h; within 3e-7 of std::erf, tested there).
  r.Register("Erf", [](const KernelCreateContext& c) -> Result<std::unique_ptr<Kernel>> {
    EDGERUN_RETURN_IF_ERROR(CheckInputCount(c.node, 1, 1));
    auto generic = MakeUnaryKernel<TypeSet::kNumeric>("Erf", [](auto x) { return std::erf(x); });
    if (!generic.ok()) return generic.status();
    std::shared_ptr<Kernel> slow = std::move(generic).value();
    return MakeFnKernel([slow](KernelContext& ctx) -> Status {
      const Tensor& x = ctx.input(0);
      if (x.dtype() != DataType::kFloat) return slow->Run(ctx);
      EDGERUN_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x.dtype(), x.shape()));
      std::copy_n(x.data<float>(), x.numel(), y->data<float>());
      ErfInPlace(y->data<float>(), y->numel());
      return Status::Ok();
    });
  });

  RegisterFloatPredicate(r, "IsNaN", [](const ir::Node&) { return [](auto x) { return std::isnan(x); }; });
  RegisterFloatPredicate(r, "IsInf", [](const ir::Node& node) {
    const bool pos = node.GetInt("detect_positive", 1) != 0;
    const bool neg = node.GetInt("detect_negative", 1) != 0;
    return [pos, neg](auto x) { return std::isinf(x) && (x > 0 ? pos : neg); };
  });
  RegisterLogicUnary(r);
}

}  // namespace edgerun::elementwise
