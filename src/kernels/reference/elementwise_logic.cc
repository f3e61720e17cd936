// Logical, comparison and selection reference kernels with numpy broadcasting: And, Or, Xor,
// Equal (numeric, bool, string), Greater, GreaterOrEqual, Less, LessOrEqual, Where.
// Thread-safety: kernels are const and stateless.
#include <string>

#include "kernels/reference/elementwise_common.h"

namespace edgerun::elementwise {
namespace {

// Half/bfloat16 as float; every other type by const reference (no string copies).
template <typename T>
decltype(auto) AsCompute(const T& v) {
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
    return static_cast<float>(v);
  } else {
    return (v);
  }
}

// kNumeric: numeric dtypes only; kAll: also bool and string.
enum class CompareTypes { kNumeric, kAll };

template <CompareTypes kTypes, typename F>
void RegisterCompare(KernelRegistry& r, const char* op, F f) {
  r.Register(op, [op, f](const KernelCreateContext& c) -> Result<std::unique_ptr<Kernel>> {
    EDGERUN_RETURN_IF_ERROR(CheckInputCount(c.node, 2, 2));
    const LegacyBroadcast lb = ReadLegacyBroadcast(c);
    return MakeFnKernel([op, f, lb](KernelContext& ctx) -> Status {
      EDGERUN_RETURN_IF_ERROR(CheckSameDTypes(ctx, 0, 2));
      const DataType dt = ctx.input(0).dtype();
      return DispatchAll(dt, op, [&]<typename T>() -> Status {
        constexpr bool kBool = std::is_same_v<T, bool>;
        constexpr bool kString = std::is_same_v<T, std::string>;
        if constexpr ((kBool || kString) && kTypes == CompareTypes::kNumeric) {
          return UnsupportedDType(op, dt);
        } else {
          return RunBinary<T, bool>(ctx, lb, DataType::kBool,
                                    [&f](const T& a, const T& b) -> bool { return f(AsCompute(a), AsCompute(b)); });
        }
      });
    });
  });
}

template <typename F>
void RegisterBoolBinary(KernelRegistry& r, const char* op, F f) {
  r.Register(op, [op, f](const KernelCreateContext& c) -> Result<std::unique_ptr<Kernel>> {
    EDGERUN_RETURN_IF_ERROR(CheckInputCount(c.node, 2, 2));
    const LegacyBroadcast lb = ReadLegacyBroadcast(c);
    return MakeFnKernel([op, f, lb](KernelContext& ctx) -> Status {
      EDGERUN_RETURN_IF_ERROR(CheckSameDTypes(ctx, 0, 2));
      if (ctx.input(0).dtype() != DataType::kBool) return UnsupportedDType(op, ctx.input(0).dtype());
      return RunBinary<bool, bool>(ctx, lb, DataType::kBool, f);
    });
  });
}

// Where(condition, X, Y): output[i] = condition ? X : Y, all three broadcast together.
Status RunWhere(KernelContext& ctx) {
  const Tensor& cond = ctx.input(0);
  const Tensor& x = ctx.input(1);
  const Tensor& y = ctx.input(2);
  if (cond.dtype() != DataType::kBool) {
    return InvalidArgument(std::string("condition must be bool, got ") + DataTypeName(cond.dtype()));
  }
  EDGERUN_RETURN_IF_ERROR(CheckSameDTypes(ctx, 1, 2));
  EDGERUN_ASSIGN_OR_RETURN(Shape os, BroadcastShapes({cond.shape(), x.shape(), y.shape()}));
  EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), os));
  return DispatchBySize(x.dtype(), "Where", [&]<typename T>() -> Status {
    const bool* pc = cond.data<bool>();
    const T* px = x.data<T>();
    const T* py = y.data<T>();
    T* po = out->data<T>();
    const int64_t n = out->numel();
    if (cond.numel() == n && x.numel() == n && y.numel() == n) {
      for (int64_t i = 0; i < n; ++i) po[i] = pc[i] ? px[i] : py[i];
      return Status::Ok();
    }
    ForEachBroadcastRow<3>(os, {&cond.shape(), &x.shape(), &y.shape()},
                           [&](int64_t o, const std::array<int64_t, 3>& off, const std::array<int64_t, 3>& st,
                               int64_t len) {
                             for (int64_t i = 0; i < len; ++i) {
                               po[o + i] = pc[off[0] + i * st[0]] ? px[off[1] + i * st[1]] : py[off[2] + i * st[2]];
                             }
                           });
    return Status::Ok();
  });
}

}  // namespace

void RegisterLogicKernels(KernelRegistry& r) {
  RegisterBoolBinary(r, "And", [](bool a, bool b) { return a && b; });
  RegisterBoolBinary(r, "Or", [](bool a, bool b) { return a || b; });
  RegisterBoolBinary(r, "Xor", [](bool a, bool b) { return a != b; });
  RegisterCompare<CompareTypes::kAll>(r, "Equal", [](const auto& a, const auto& b) { return a == b; });
  RegisterCompare<CompareTypes::kNumeric>(r, "Greater", [](const auto& a, const auto& b) { return a > b; });
  RegisterCompare<CompareTypes::kNumeric>(r, "GreaterOrEqual", [](const auto& a, const auto& b) { return a >= b; });
  RegisterCompare<CompareTypes::kNumeric>(r, "Less", [](const auto& a, const auto& b) { return a < b; });
  RegisterCompare<CompareTypes::kNumeric>(r, "LessOrEqual", [](const auto& a, const auto& b) { return a <= b; });
  r.Register("Where", [](const KernelCreateContext& c) -> Result<std::unique_ptr<Kernel>> {
    EDGERUN_RETURN_IF_ERROR(CheckInputCount(c.node, 3, 3));
    return MakeFnKernel(RunWhere);
  });
}

}  // namespace edgerun::elementwise
