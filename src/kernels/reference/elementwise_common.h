// Shared building blocks of the elementwise reference kernels: compute types, wrapping and
// saturating integer arithmetic, numpy-broadcast loops (fast paths for same-shape and scalar
// operands, coalesced row walks for the general case), unary/binary kernel makers, and the
// family's internal registration entry points.
// Thread-safety: stateless functions; kernels made here are const and thread-safe.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "edgerun/status.h"
#include "edgerun/tensor.h"
#include "kernels/kernel.h"
#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"

namespace edgerun::elementwise {

// Family registration (one per file).
void RegisterUnaryMathKernels(KernelRegistry& r);   // elementwise_unary.cc
void RegisterArithmeticKernels(KernelRegistry& r);  // elementwise_arith.cc
void RegisterLogicKernels(KernelRegistry& r);       // elementwise_logic.cc
void RegisterVariadicKernels(KernelRegistry& r);    // elementwise_variadic.cc
void RegisterActivationKernels(KernelRegistry& r);  // activation.cc
void RegisterClipPReluKernels(KernelRegistry& r);   // activation_clip_prelu.cc
void RegisterCastKernels(KernelRegistry& r);        // cast.cc

template <typename T>
struct ComputeTypeOf {
  using type = T;
};
template <>
struct ComputeTypeOf<Half> {
  using type = float;
};
template <>
struct ComputeTypeOf<BFloat16> {
  using type = float;
};
// The type arithmetic is done in: float for float16/bfloat16, the type itself otherwise.
template <typename T>
using ComputeType = typename ComputeTypeOf<T>::type;

template <typename T>
inline constexpr bool kIsFloat =
    std::is_floating_point_v<T> || std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;
template <typename T>
inline constexpr bool kIsInt = std::is_integral_v<T> && !std::is_same_v<T, bool>;
template <typename T>
inline constexpr bool kIsSignedInt = kIsInt<T> && std::is_signed_v<T>;

// Sets of numeric dtypes an op accepts.
enum class TypeSet {
  kFloat,          // float, double, float16, bfloat16
  kSignedNumeric,  // floats and signed integers
  kNumeric,        // floats and all integers
  kInt,            // all integers
  kUnsigned,       // unsigned integers
};

template <TypeSet S, typename T>
constexpr bool InTypeSet() {
  switch (S) {
    case TypeSet::kFloat: return kIsFloat<T>;
    case TypeSet::kSignedNumeric: return kIsFloat<T> || kIsSignedInt<T>;
    case TypeSet::kNumeric: return kIsFloat<T> || kIsInt<T>;
    case TypeSet::kInt: return kIsInt<T>;
    case TypeSet::kUnsigned: return kIsInt<T> && !std::is_signed_v<T>;
  }
  return false;
}

// Dispatches over the numeric dtypes in S; Unsupported for any other dtype.
template <TypeSet S, typename Fn>
Status DispatchTypeSet(DataType dt, const char* what, Fn&& fn) {
  return DispatchNumeric(dt, what, [&]<typename T>() -> Status {
    if constexpr (InTypeSet<S, T>()) {
      return fn.template operator()<T>();
    } else {
      return UnsupportedDType(what, dt);
    }
  });
}

// Unsigned type wide enough that integer arithmetic on it wraps without promotion to int.
template <typename T>
using WrapType = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, std::make_unsigned_t<T>>;

// Two's-complement wrapping add/sub/mul/neg for integers (no UB on overflow); plain for floats.
template <typename T>
T WrapAdd(T a, T b) {
  if constexpr (kIsInt<T>) {
    return static_cast<T>(static_cast<WrapType<T>>(a) + static_cast<WrapType<T>>(b));
  } else {
    return a + b;
  }
}
template <typename T>
T WrapSub(T a, T b) {
  if constexpr (kIsInt<T>) {
    return static_cast<T>(static_cast<WrapType<T>>(a) - static_cast<WrapType<T>>(b));
  } else {
    return a - b;
  }
}
template <typename T>
T WrapMul(T a, T b) {
  if constexpr (kIsInt<T>) {
    return static_cast<T>(static_cast<WrapType<T>>(a) * static_cast<WrapType<T>>(b));
  } else {
    return a * b;
  }
}
template <typename T>
T WrapNeg(T a) {
  return WrapSub(T(0), a);
}

// Converts a double to T: integers saturate (NaN becomes 0), bool is v != 0, floats round.
template <typename T>
T SaturateCast(double v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != 0;
  } else if constexpr (kIsInt<T>) {
    if (std::isnan(v)) return T(0);
    if (v <= static_cast<double>(std::numeric_limits<T>::min())) return std::numeric_limits<T>::min();
    if (v >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  } else {
    return static_cast<T>(static_cast<ComputeType<T>>(v));
  }
}

// Validates that the node has between min_inputs and max_inputs inputs and that the first
// min_inputs of them are present.
inline Status CheckInputCount(const ir::Node& node, size_t min_inputs, size_t max_inputs) {
  if (node.inputs.size() < min_inputs || node.inputs.size() > max_inputs) {
    return InvalidArgument(node.Describe() + ": expected " + std::to_string(min_inputs) +
                           (max_inputs != min_inputs ? " to " + std::to_string(max_inputs) : std::string()) +
                           " inputs, got " + std::to_string(node.inputs.size()));
  }
  for (size_t i = 0; i < min_inputs; ++i) {
    if (!node.HasInput(i)) return InvalidArgument(node.Describe() + ": required input " + std::to_string(i) + " is missing");
  }
  return Status::Ok();
}

// Requires every input dtype to equal input 0's.
Status CheckSameDTypes(const KernelContext& ctx, size_t first, size_t count);

// Walks `out` in rows after merging adjacent dimensions that broadcast alike. For each row calls
//   row(out_offset, in_offsets, in_strides, len)
// where input j's elements for the row are in_offsets[j] + k * in_strides[j], k < len, and
// in_strides[j] is 0 (broadcast) or 1. Input shapes must broadcast to `out` (checked by caller).
template <size_t N, typename Row>
void ForEachBroadcastRow(const Shape& out, const std::array<const Shape*, N>& in, Row&& row) {
  const int64_t n = ShapeSize(out);
  if (n == 0) return;
  const size_t rank = out.size();
  Shape dims;
  std::array<Shape, N> in_dims;
  for (size_t k = 0; k < rank; ++k) {
    if (out[k] == 1) continue;
    std::array<int64_t, N> d;
    for (size_t j = 0; j < N; ++j) {
      const Shape& s = *in[j];
      const size_t pad = rank - s.size();
      d[j] = k < pad ? 1 : s[k - pad];
    }
    bool merge = !dims.empty();
    for (size_t j = 0; j < N && merge; ++j) merge = (in_dims[j].back() == 1) == (d[j] == 1);
    if (merge) {
      dims.back() *= out[k];
      for (size_t j = 0; j < N; ++j) in_dims[j].back() *= d[j];
    } else {
      dims.push_back(out[k]);
      for (size_t j = 0; j < N; ++j) in_dims[j].push_back(d[j]);
    }
  }
  if (dims.empty()) {
    dims.push_back(1);
    for (size_t j = 0; j < N; ++j) in_dims[j].push_back(1);
  }
  const int64_t len = dims.back();
  dims.pop_back();
  std::array<int64_t, N> inner;
  std::array<int64_t, N> stride;
  std::array<const Shape*, N> outer_in;
  for (size_t j = 0; j < N; ++j) {
    inner[j] = in_dims[j].back();
    stride[j] = inner[j] == 1 ? 0 : 1;
    in_dims[j].pop_back();
    outer_in[j] = &in_dims[j];
  }
  BroadcastWalker walker(dims, outer_in.data(), N);
  const int64_t rows = n / len;
  std::array<int64_t, N> off;
  for (int64_t r = 0; r < rows; ++r, walker.Next()) {
    for (size_t j = 0; j < N; ++j) off[j] = walker.offset(j) * inner[j];
    row(r * len, off, stride, len);
  }
}

// out[i] = f(a[ia], b[ib]) over the broadcast of shapes as and bs (which is os).
template <typename A, typename B, typename O, typename F>
void BinaryMap(const A* a, const Shape& as, const B* b, const Shape& bs, O* out, const Shape& os, F&& f) {
  const int64_t n = ShapeSize(os);
  const int64_t na = ShapeSize(as);
  const int64_t nb = ShapeSize(bs);
  if (na == n && nb == n) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
    return;
  }
  if (na == 1 && nb == n) {
    const A va = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(va, b[i]);
    return;
  }
  if (nb == 1 && na == n) {
    const B vb = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], vb);
    return;
  }
  ForEachBroadcastRow<2>(os, {&as, &bs}, [&](int64_t o, const std::array<int64_t, 2>& off,
                                             const std::array<int64_t, 2>& st, int64_t len) {
    const A* pa = a + off[0];
    const B* pb = b + off[1];
    O* po = out + o;
    if (st[0] != 0 && st[1] != 0) {
      for (int64_t i = 0; i < len; ++i) po[i] = f(pa[i], pb[i]);
    } else if (st[1] != 0) {
      const A va = *pa;
      for (int64_t i = 0; i < len; ++i) po[i] = f(va, pb[i]);
    } else if (st[0] != 0) {
      const B vb = *pb;
      for (int64_t i = 0; i < len; ++i) po[i] = f(pa[i], vb);
    } else {
      for (int64_t i = 0; i < len; ++i) po[i] = f(*pa, *pb);
    }
  });
}

// Opset < 7 binary ops broadcast only with broadcast=1, aligning B with A at `axis`
// (default: B's dims are a suffix of A's).
struct LegacyBroadcast {
  bool enabled = false;
  bool has_axis = false;
  int64_t axis = 0;
};
LegacyBroadcast ReadLegacyBroadcast(const KernelCreateContext& c);
// B's shape rewritten for numpy broadcasting against A under legacy rules.
Result<Shape> LegacyBShape(const LegacyBroadcast& lb, const Shape& a, const Shape& b);

// Runs y = f(a, b) with numpy broadcasting for inputs 0 and 1 of type T, output dtype `out_dt`
// and element type O. f takes (T, T) and returns O.
template <typename T, typename O, typename F>
Status RunBinary(KernelContext& ctx, const LegacyBroadcast& lb, DataType out_dt, F&& f) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  if (!lb.enabled && (a.shape() == b.shape() || b.numel() == 1 && b.rank() <= a.rank())) {
    // Same shapes or a scalar-like b: the output has a's shape; no shape arithmetic (and no
    // allocation) needed.
    EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, out_dt, a.shape()));
    BinaryMap(a.data<T>(), a.shape(), b.data<T>(), b.shape(), out->data<O>(), a.shape(), f);
    return Status::Ok();
  }
  Shape bs = b.shape();
  if (lb.enabled) {
    EDGERUN_ASSIGN_OR_RETURN(bs, LegacyBShape(lb, a.shape(), b.shape()));
  }
  EDGERUN_ASSIGN_OR_RETURN(Shape os, BroadcastShapes({a.shape(), bs}));
  EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, out_dt, os));
  BinaryMap(a.data<T>(), a.shape(), b.data<T>(), bs, out->data<O>(), os, f);
  return Status::Ok();
}

// A kernel computing y = f(x) elementwise (y has x's dtype) for the dtypes in S. f receives and
// returns ComputeType<T> (or a value convertible to T).
template <TypeSet S, typename F>
Result<std::unique_ptr<Kernel>> MakeUnaryKernel(const char* name, F f) {
  return MakeFnKernel([name, f](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    return DispatchTypeSet<S>(x.dtype(), name, [&]<typename T>() -> Status {
      using C = ComputeType<T>;
      EDGERUN_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x.dtype(), x.shape()));
      const T* px = x.data<T>();
      T* py = y->data<T>();
      const int64_t n = x.numel();
      for (int64_t i = 0; i < n; ++i) py[i] = static_cast<T>(f(static_cast<C>(px[i])));
      return Status::Ok();
    });
  });
}

// Registers `op` at since_version 1 with a unary kernel over S, validating one input.
template <TypeSet S, typename F>
void RegisterUnary(KernelRegistry& r, const char* op, F f) {
  r.Register(op, [op, f](const KernelCreateContext& c) -> Result<std::unique_ptr<Kernel>> {
    EDGERUN_RETURN_IF_ERROR(CheckInputCount(c.node, 1, 1));
    return MakeUnaryKernel<S>(op, f);
  });
}

}  // namespace edgerun::elementwise
