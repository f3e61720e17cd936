// Reference LRN (cross-channel local response normalization), MeanVarianceNormalization (over a
// set of axes) and LpNormalization (p = 1 or 2 along one axis). Accumulation in double.
// Thread-safety: kernels are immutable after creation; Run keeps its state on the stack.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/conv_util.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/norm.h"

namespace edgerun {
namespace {

template <typename T>
T ToElement(double v) {
  if constexpr (std::is_same_v<T, double>) {
    return v;
  } else {
    return T(static_cast<float>(v));
  }
}

template <typename T>
double FromElement(T v) {
  return static_cast<double>(static_cast<NnComputeType<T>>(v));
}

struct LrnParams {
  double alpha, beta, bias;
  int64_t size;
};

Status RunLrn(KernelContext& ctx, const LrnParams& p) {
  if (!ctx.has_input(0)) return InvalidArgument("missing input X");
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2) return InvalidArgument("X must have rank >= 2 (N, C, ...), got " + ShapeToString(x.shape()));
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), x.shape()));
  const int64_t batch = x.dim(0), channels = x.dim(1);
  const int64_t spatial = batch * channels == 0 ? 0 : x.numel() / (batch * channels);
  const int64_t before = (p.size - 1) / 2;
  const int64_t after = p.size - 1 - before;
  return DispatchFloat(x.dtype(), "LRN", [&]<typename T>() -> Status {
    const T* xp = x.data<T>();
    T* yp = y->data<T>();
    std::vector<double> sq(static_cast<size_t>(spatial));
    for (int64_t n = 0; n < batch; ++n) {
      for (int64_t c = 0; c < channels; ++c) {
        std::fill(sq.begin(), sq.end(), 0.0);
        const int64_t c0 = std::max<int64_t>(0, c - before), c1 = std::min(channels - 1, c + after);
        for (int64_t k = c0; k <= c1; ++k) {
          const T* src = xp + (n * channels + k) * spatial;
          for (int64_t s = 0; s < spatial; ++s) {
            const double v = FromElement(src[s]);
            sq[static_cast<size_t>(s)] += v * v;
          }
        }
        const int64_t base = (n * channels + c) * spatial;
        for (int64_t s = 0; s < spatial; ++s) {
          const double denom = std::pow(p.bias + p.alpha / static_cast<double>(p.size) * sq[static_cast<size_t>(s)], p.beta);
          yp[base + s] = ToElement<T>(FromElement(xp[base + s]) / denom);
        }
      }
    }
    return Status::Ok();
  });
}

Status RunMvn(KernelContext& ctx, const Dims& axes_attr) {
  if (!ctx.has_input(0)) return InvalidArgument("missing input X");
  const Tensor& x = ctx.input(0);
  Shape reduced = x.shape();
  for (int64_t a : axes_attr) {
    int64_t axis;
    EDGERUN_ASSIGN_OR_RETURN(axis, NormalizeAxis(a, x.rank(), "axes"));
    reduced[static_cast<size_t>(axis)] = 1;
  }
  const int64_t groups = ShapeSize(reduced);
  const int64_t per_group = groups == 0 ? 0 : x.numel() / groups;
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), x.shape()));
  return DispatchFloat(x.dtype(), "MeanVarianceNormalization", [&]<typename T>() -> Status {
    const T* xp = x.data<T>();
    T* yp = y->data<T>();
    const int64_t n = x.numel();
    std::vector<double> mean(static_cast<size_t>(groups), 0.0), var(static_cast<size_t>(groups), 0.0);
    {
      BroadcastWalker w(x.shape(), {&reduced});
      for (int64_t i = 0; i < n; ++i, w.Next()) mean[static_cast<size_t>(w.offset(0))] += FromElement(xp[i]);
    }
    for (double& m : mean) m /= static_cast<double>(per_group);
    {
      BroadcastWalker w(x.shape(), {&reduced});
      for (int64_t i = 0; i < n; ++i, w.Next()) {
        const double d = FromElement(xp[i]) - mean[static_cast<size_t>(w.offset(0))];
        var[static_cast<size_t>(w.offset(0))] += d * d;
      }
    }
    // As the ONNX function body: (X - E[X]) / (sqrt(Var[X]) + 1e-9).
    for (double& v : var) v = std::sqrt(v / static_cast<double>(per_group)) + 1e-9;
    BroadcastWalker w(x.shape(), {&reduced});
    for (int64_t i = 0; i < n; ++i, w.Next()) {
      const size_t g = static_cast<size_t>(w.offset(0));
      yp[i] = ToElement<T>((FromElement(xp[i]) - mean[g]) / var[g]);
    }
    return Status::Ok();
  });
}

Status RunLpNorm(KernelContext& ctx, int64_t axis_attr, int64_t p) {
  if (!ctx.has_input(0)) return InvalidArgument("missing input");
  const Tensor& x = ctx.input(0);
  if (x.rank() == 0) return InvalidArgument("LpNormalization needs an input of rank >= 1");
  int64_t axis;
  EDGERUN_ASSIGN_OR_RETURN(axis, NormalizeAxis(axis_attr, x.rank()));
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), x.shape()));
  const int64_t len = x.dim(axis);
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
  const int64_t outer = len * inner == 0 ? 0 : x.numel() / (len * inner);
  return DispatchFloat(x.dtype(), "LpNormalization", [&]<typename T>() -> Status {
    const T* xp = x.data<T>();
    T* yp = y->data<T>();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t base = o * len * inner + i;
        double norm = 0;
        for (int64_t k = 0; k < len; ++k) {
          const double v = FromElement(xp[base + k * inner]);
          norm += p == 1 ? std::fabs(v) : v * v;
        }
        if (p == 2) norm = std::sqrt(norm);
        for (int64_t k = 0; k < len; ++k) {
          const double v = FromElement(xp[base + k * inner]);
          yp[base + k * inner] = ToElement<T>(norm == 0 ? 0.0 : v / norm);
        }
      }
    }
    return Status::Ok();
  });
}

}  // namespace

void RegisterMiscNormKernels(KernelRegistry& r) {
  r.Register("LRN", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    LrnParams p;
    p.alpha = kc.node.GetFloat("alpha", 1e-4f);
    p.beta = kc.node.GetFloat("beta", 0.75f);
    p.bias = kc.node.GetFloat("bias", 1.0f);
    p.size = kc.node.GetInt("size", 0);
    if (p.size < 1) return InvalidArgument(kc.node.Describe() + ": size must be positive");
    return MakeFnKernel([p](KernelContext& ctx) { return RunLrn(ctx, p); });
  });
  r.Register("MeanVarianceNormalization", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    Dims axes = kc.node.GetInts("axes", {0, 2, 3});
    return MakeFnKernel([axes](KernelContext& ctx) { return RunMvn(ctx, axes); });
  });
  r.Register("LpNormalization", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    const int64_t axis = kc.node.GetInt("axis", -1);
    const int64_t p = kc.node.GetInt("p", 2);
    if (p != 1 && p != 2) return InvalidArgument(kc.node.Describe() + ": p must be 1 or 2, got " + std::to_string(p));
    return MakeFnKernel([axis, p](KernelContext& ctx) { return RunLpNorm(ctx, axis, p); });
  });
}

}  // namespace edgerun
