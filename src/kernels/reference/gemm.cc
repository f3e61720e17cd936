// Gemm reference kernel: Y = alpha * op(A) * op(B) + beta * C, with C optional (opset >= 11) and
// unidirectionally broadcast to (M, N).
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/math_check.h"
#include "kernels/reference/gemm_ref.h"
#include "kernels/reference/math_kernels.h"

namespace edgerun {
namespace {

struct GemmAttrs {
  bool trans_a = false;
  bool trans_b = false;
  float alpha = 1.0f;
  float beta = 1.0f;
};

// double -> integer without undefined behaviour: NaN gives 0, out-of-range values saturate.
template <typename T>
T SaturatingCast(double v) {
  if (std::isnan(v)) return T{0};
  if (v <= static_cast<double>(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
  if (v >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return static_cast<T>(v);
}

// Fills y (m x n) with beta * C broadcast to (m, n), or zeros when there is no C.
template <typename T, typename Out>
void FillBias(const Tensor* c, float beta, int64_t m, int64_t n, Out* y) {
  if (c == nullptr || beta == 0.0f) {
    std::fill(y, y + m * n, Out{});
    return;
  }
  BroadcastWalker w({m, n}, {&c->shape()});
  const T* cd = c->data<T>();
  for (int64_t i = 0; i < m * n; ++i, w.Next()) {
    y[i] = static_cast<Out>(static_cast<double>(beta) * static_cast<double>(cd[w.offset(0)]));
  }
}

template <typename T>
Status RunGemm(const GemmAttrs& at, const Tensor& a, const Tensor& b, const Tensor* c, int64_t m, int64_t n,
               int64_t k, Tensor* y) {
  const int64_t lda = at.trans_a ? m : k;
  const int64_t ldb = at.trans_b ? k : n;
  T* yd = y->data<T>();
  if constexpr (std::is_same_v<T, float>) {
    FillBias<float>(c, at.beta, m, n, yd);
    GemmF32(at.trans_a, at.trans_b, m, n, k, at.alpha, a.data<float>(), lda, b.data<float>(), ldb, 1.0f, yd, n);
  } else if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
    std::vector<float> af(a.data<T>(), a.data<T>() + a.numel());
    std::vector<float> bf(b.data<T>(), b.data<T>() + b.numel());
    std::vector<float> yf(static_cast<size_t>(m * n));
    if (c != nullptr && at.beta != 0.0f) {
      BroadcastWalker w({m, n}, {&c->shape()});
      for (int64_t i = 0; i < m * n; ++i, w.Next()) yf[i] = at.beta * static_cast<float>(c->data<T>()[w.offset(0)]);
    }
    GemmF32(at.trans_a, at.trans_b, m, n, k, at.alpha, af.data(), lda, bf.data(), ldb, 1.0f, yf.data(), n);
    for (int64_t i = 0; i < m * n; ++i) yd[i] = T(yf[i]);
  } else {
    using Acc = GemmAccOf<T>;
    std::vector<Acc> acc(static_cast<size_t>(m * n), Acc{});
    GemmAccumulate<Acc>(at.trans_a, at.trans_b, m, n, k, a.data<T>(), lda, b.data<T>(), ldb, acc.data(), n);
    if constexpr (std::is_integral_v<T>) {
      const bool exact = at.alpha == 1.0f && (c == nullptr || at.beta == 1.0f || at.beta == 0.0f);
      if (exact) {
        const bool add_c = c != nullptr && at.beta == 1.0f;
        const Shape none;
        BroadcastWalker w({m, n}, {add_c ? &c->shape() : &none});
        for (int64_t i = 0; i < m * n; ++i, w.Next()) {
          Acc v = acc[i];
          if (add_c) v += GemmToAcc<Acc>(c->data<T>()[w.offset(0)]);
          yd[i] = static_cast<T>(v);
        }
      } else {
        std::vector<double> bias(static_cast<size_t>(m * n));
        FillBias<T>(c, at.beta, m, n, bias.data());
        for (int64_t i = 0; i < m * n; ++i) {
          yd[i] = SaturatingCast<T>(static_cast<double>(at.alpha) * static_cast<double>(static_cast<T>(acc[i])) + bias[i]);
        }
      }
    } else {
      FillBias<T>(c, at.beta, m, n, yd);
      for (int64_t i = 0; i < m * n; ++i) yd[i] += static_cast<T>(at.alpha) * acc[i];
    }
  }
  return Status::Ok();
}

Status GemmRun(const GemmAttrs& at, KernelContext& ctx) {
  EDGERUN_RETURN_IF_ERROR(CheckTensorInputs(ctx, 2, "Gemm"));
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  const Tensor* c = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  if (a.rank() != 2 || b.rank() != 2) {
    return InvalidArgument("Gemm inputs A and B must be 2-D, got " + ShapeToString(a.shape()) + " and " +
                           ShapeToString(b.shape()));
  }
  if (a.dtype() != b.dtype() || (c != nullptr && c->dtype() != a.dtype())) {
    return InvalidArgument("Gemm inputs must share one dtype");
  }
  const int64_t m = at.trans_a ? a.dim(1) : a.dim(0);
  const int64_t k = at.trans_a ? a.dim(0) : a.dim(1);
  const int64_t kb = at.trans_b ? b.dim(1) : b.dim(0);
  const int64_t n = at.trans_b ? b.dim(0) : b.dim(1);
  if (k != kb) {
    return InvalidArgument("Gemm inner dimensions differ: op(A) is " + std::to_string(m) + "x" + std::to_string(k) +
                           ", op(B) is " + std::to_string(kb) + "x" + std::to_string(n));
  }
  if (c != nullptr) {
    const Shape& cs = c->shape();
    bool ok = cs.size() <= 2;
    for (size_t i = 0; ok && i < cs.size(); ++i) {
      const int64_t target = (cs.size() - i == 1) ? n : m;
      ok = cs[i] == 1 || cs[i] == target;
    }
    if (!ok) {
      return InvalidArgument("Gemm input C of shape " + ShapeToString(cs) + " cannot be broadcast to (" +
                             std::to_string(m) + ", " + std::to_string(n) + ")");
    }
  }
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, a.dtype(), {m, n}));
  return DispatchNumeric(a.dtype(), "Gemm", [&]<typename T>() -> Status {
    if constexpr (sizeof(T) == 1 || std::is_same_v<T, int16_t> || std::is_same_v<T, uint16_t>) {
      return UnsupportedDType("Gemm", a.dtype());
    } else {
      return RunGemm<T>(at, a, b, c, m, n, k, y);
    }
  });
}

}  // namespace

void RegisterGemmKernels(KernelRegistry& r) {
  r.Register("Gemm", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    GemmAttrs at;
    at.trans_a = kc.node.GetInt("transA", 0) != 0;
    at.trans_b = kc.node.GetInt("transB", 0) != 0;
    at.alpha = kc.node.GetFloat("alpha", 1.0f);
    at.beta = kc.node.GetFloat("beta", 1.0f);
    return MakeFnKernel([at](KernelContext& ctx) { return GemmRun(at, ctx); });
  });
}

}  // namespace edgerun
