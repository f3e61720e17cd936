// Binary arithmetic reference kernels with numpy broadcasting: Add, Sub, Mul, Div, Pow, Mod,
// BitShift, BitwiseAnd, BitwiseOr, BitwiseXor. Integer arithmetic wraps (two's complement);
// integer division and modulo by zero are InvalidArgument. Opset < 7 models get the legacy
// broadcast/axis attributes. Thread-safety: kernels are const and stateless.
#include <cmath>

#include "kernels/reference/elementwise_common.h"

namespace edgerun::elementwise {
namespace {

template <typename T>
Status CheckNoZero(const Tensor& b) {
  const T* p = b.data<T>();
  for (int64_t i = 0, n = b.numel(); i < n; ++i) {
    if (p[i] == T(0)) return InvalidArgument("integer division by zero (divisor element " + std::to_string(i) + ")");
  }
  return Status::Ok();
}

// A binary kernel over inputs of equal dtype in S; f works on ComputeType values. With
// kIntDivisor, integer divisors (input 1) are checked for zeros first.
template <TypeSet S, bool kIntDivisor, typename F>
Result<std::unique_ptr<Kernel>> MakeBinaryKernel(const char* name, LegacyBroadcast lb, F f) {
  return MakeFnKernel([name, lb, f](KernelContext& ctx) -> Status {
    EDGERUN_RETURN_IF_ERROR(CheckSameDTypes(ctx, 0, 2));
    const DataType dt = ctx.input(0).dtype();
    return DispatchTypeSet<S>(dt, name, [&]<typename T>() -> Status {
      using C = ComputeType<T>;
      if constexpr (kIntDivisor && kIsInt<T>) EDGERUN_RETURN_IF_ERROR(CheckNoZero<T>(ctx.input(1)));
      return RunBinary<T, T>(ctx, lb, dt,
                             [&f](T a, T b) { return static_cast<T>(f(static_cast<C>(a), static_cast<C>(b))); });
    });
  });
}

// MakeF: (const ir::Node&) -> Result<F>, validating attributes.
template <TypeSet S, bool kIntDivisor = false, typename MakeF>
void RegisterBinary(KernelRegistry& r, const char* op, MakeF make_f) {
  r.Register(op, [op, make_f](const KernelCreateContext& c) -> Result<std::unique_ptr<Kernel>> {
    EDGERUN_RETURN_IF_ERROR(CheckInputCount(c.node, 2, 2));
    auto f = make_f(c.node);
    if (!f.ok()) return f.status();
    return MakeBinaryKernel<S, kIntDivisor>(op, ReadLegacyBroadcast(c), std::move(f).value());
  });
}

template <typename F>
Result<F> Plain(F f) {
  return f;
}

// a ** b for integers: exact with wrap-around; negative exponents truncate like the real result.
template <typename T, typename E>
T IntPow(T a, E b) {
  if constexpr (std::is_signed_v<E>) {
    if (b < 0) {
      if (a == T(1)) return T(1);
      if constexpr (std::is_signed_v<T>) {
        if (a == T(-1)) return (b % 2 == 0) ? T(1) : T(-1);
      }
      return T(0);
    }
  }
  T result = 1;
  T base = a;
  uint64_t e = static_cast<uint64_t>(b);
  while (e != 0) {
    if (e & 1) result = WrapMul(result, base);
    base = WrapMul(base, base);
    e >>= 1;
  }
  return result;
}

template <typename T, typename E>
T PowElem(T a, E b) {
  if constexpr (kIsInt<T> && kIsInt<E>) {
    return IntPow(a, b);
  } else if constexpr (std::is_same_v<T, E> && kIsFloat<T>) {
    using C = ComputeType<T>;
    return static_cast<T>(std::pow(static_cast<C>(a), static_cast<C>(b)));
  } else {
    const double r = std::pow(static_cast<double>(static_cast<ComputeType<T>>(a)),
                              static_cast<double>(static_cast<ComputeType<E>>(b)));
    return SaturateCast<T>(r);
  }
}

void RegisterPow(KernelRegistry& r) {
  r.Register("Pow", [](const KernelCreateContext& c) -> Result<std::unique_ptr<Kernel>> {
    EDGERUN_RETURN_IF_ERROR(CheckInputCount(c.node, 2, 2));
    const LegacyBroadcast lb = ReadLegacyBroadcast(c);
    return MakeFnKernel([lb](KernelContext& ctx) -> Status {
      const Tensor& a = ctx.input(0);
      const Tensor& b = ctx.input(1);
      return DispatchNumeric(a.dtype(), "Pow base", [&]<typename T>() -> Status {
        if constexpr (kIsFloat<T> || std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>) {
          return DispatchNumeric(b.dtype(), "Pow exponent", [&]<typename E>() -> Status {
            Shape bs = b.shape();
            if (lb.enabled) {
              EDGERUN_ASSIGN_OR_RETURN(bs, LegacyBShape(lb, a.shape(), b.shape()));
            }
            EDGERUN_ASSIGN_OR_RETURN(Shape os, BroadcastShapes({a.shape(), bs}));
            EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, a.dtype(), os));
            BinaryMap(a.data<T>(), a.shape(), b.data<E>(), bs, out->data<T>(), os,
                      [](T x, E y) { return PowElem(x, y); });
            return Status::Ok();
          });
        } else {
          return UnsupportedDType("Pow base", a.dtype());
        }
      });
    });
  });
}

}  // namespace

void RegisterArithmeticKernels(KernelRegistry& r) {
  RegisterBinary<TypeSet::kNumeric>(r, "Add", [](const ir::Node&) {
    return Plain([](auto a, auto b) { return WrapAdd(a, b); });
  });
  RegisterBinary<TypeSet::kNumeric>(r, "Sub", [](const ir::Node&) {
    return Plain([](auto a, auto b) { return WrapSub(a, b); });
  });
  RegisterBinary<TypeSet::kNumeric>(r, "Mul", [](const ir::Node&) {
    return Plain([](auto a, auto b) { return WrapMul(a, b); });
  });
  // Integer division truncates toward zero, like C.
  RegisterBinary<TypeSet::kNumeric, true>(r, "Div", [](const ir::Node&) {
    return Plain([](auto a, auto b) -> decltype(a) {
      using V = decltype(a);
      if constexpr (kIsSignedInt<V>) {
        if (b == V(-1)) return WrapNeg(a);
      }
      return static_cast<V>(a / b);
    });
  });
  // fmod=1: remainder with the dividend's sign (C fmod / %); fmod=0: with the divisor's sign.
  RegisterBinary<TypeSet::kNumeric, true>(r, "Mod", [](const ir::Node& node) {
    const bool use_fmod = node.GetInt("fmod", 0) != 0;
    return Plain([use_fmod](auto a, auto b) -> decltype(a) {
      using V = decltype(a);
      V m;
      if constexpr (std::is_floating_point_v<V>) {
        m = std::fmod(a, b);
      } else {
        if constexpr (std::is_signed_v<V>) {
          if (b == V(-1)) return V(0);
        }
        m = static_cast<V>(a % b);
      }
      if constexpr (std::is_signed_v<V>) {
        if (!use_fmod && m != V(0) && ((m < V(0)) != (b < V(0)))) m = static_cast<V>(m + b);
      }
      return m;
    });
  });
  RegisterBinary<TypeSet::kUnsigned>(r, "BitShift", [](const ir::Node& node) {
    const std::string dir = node.GetString("direction", "");
    const bool left = dir == "LEFT";
    auto f = [left](auto a, auto b) -> decltype(a) {
      using V = decltype(a);
      if (b >= V(sizeof(V) * 8)) return V(0);
      return left ? static_cast<V>(a << b) : static_cast<V>(a >> b);
    };
    using F = decltype(f);
    if (dir != "LEFT" && dir != "RIGHT") {
      return Result<F>(InvalidArgument(node.Describe() + ": direction must be \"LEFT\" or \"RIGHT\", got \"" + dir + "\""));
    }
    return Result<F>(f);
  });
  RegisterBinary<TypeSet::kInt>(r, "BitwiseAnd", [](const ir::Node&) {
    return Plain([](auto a, auto b) { return static_cast<decltype(a)>(a & b); });
  });
  RegisterBinary<TypeSet::kInt>(r, "BitwiseOr", [](const ir::Node&) {
    return Plain([](auto a, auto b) { return static_cast<decltype(a)>(a | b); });
  });
  RegisterBinary<TypeSet::kInt>(r, "BitwiseXor", [](const ir::Node&) {
    return Plain([](auto a, auto b) { return static_cast<decltype(a)>(a ^ b); });
  });
  RegisterPow(r);
}

}  // namespace edgerun::elementwise
