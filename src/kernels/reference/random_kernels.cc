// RandomNormal, RandomUniform, RandomNormalLike, RandomUniformLike, Bernoulli and Multinomial
// reference kernels. Values come from LegacyRandom (numpy-compatible for a given seed).
#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "kernels/reference/dispatch.h"
#include "kernels/reference/random_generator.h"
#include "kernels/reference/random_kernels.h"

namespace edgerun {
namespace {

enum class Dist { kNormal, kUniform };

struct RandomAttrs {
  Dist dist = Dist::kUniform;
  double a = 0, b = 1;  // normal: mean, scale; uniform: low, high
  DataType dtype = DataType::kUndefined;  // undefined: the input's (for *Like)
  Shape shape;
  SeedSpec seed;
  std::string where;
};

bool IsFloatType(DataType dt) {
  return dt == DataType::kFloat || dt == DataType::kDouble || dt == DataType::kFloat16 || dt == DataType::kBFloat16;
}

Result<RandomAttrs> ParseRandomAttrs(const KernelCreateContext& c, Dist dist, bool like) {
  RandomAttrs a;
  a.dist = dist;
  a.where = c.node.Describe();
  if (dist == Dist::kNormal) {
    a.a = c.node.GetFloat("mean", 0.f);
    a.b = c.node.GetFloat("scale", 1.f);
  } else {
    a.a = c.node.GetFloat("low", 0.f);
    a.b = c.node.GetFloat("high", 1.f);
  }
  a.seed = SeedSpec::FromNode(c.node);
  if (c.node.HasAttribute("dtype") || !like) {
    int64_t dt = c.node.GetInt("dtype", static_cast<int64_t>(DataType::kFloat));
    if (!IsKnownDataType(static_cast<int32_t>(dt)) || !IsFloatType(static_cast<DataType>(dt))) {
      return InvalidArgument(a.where + ": dtype " + std::to_string(dt) + " is not a floating-point type");
    }
    a.dtype = static_cast<DataType>(dt);
  }
  if (!like) {
    if (!c.node.HasAttribute("shape")) return InvalidArgument(a.where + ": attribute 'shape' is required");
    a.shape = c.node.GetInts("shape");
    for (int64_t d : a.shape) {
      if (d < 0) return InvalidArgument(a.where + ": shape " + ShapeToString(a.shape) + " has a negative dim");
    }
  }
  return a;
}

Status RunRandom(const RandomAttrs& a, bool like, KernelContext& ctx) {
  Shape shape = a.shape;
  DataType dt = a.dtype;
  if (like) {
    shape = ctx.input(0).shape();
    if (dt == DataType::kUndefined) dt = ctx.input(0).dtype();
    if (!IsFloatType(dt)) {
      return InvalidArgument(a.where + ": input dtype " + std::string(DataTypeName(dt)) +
                             " is not floating-point; set the dtype attribute");
    }
  }
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, dt, shape));
  LegacyRandom gen = a.seed.MakeGenerator();
  return DispatchFloat(dt, "Random", [&]<typename T>() -> Status {
    T* p = y->data<T>();
    for (int64_t i = 0; i < y->numel(); ++i) {
      double v = a.dist == Dist::kNormal ? a.a + a.b * gen.NextGauss() : a.a + (a.b - a.a) * gen.NextDouble();
      p[i] = static_cast<T>(v);
    }
    return Status::Ok();
  });
}

Result<std::unique_ptr<Kernel>> CreateRandom(const KernelCreateContext& c, Dist dist, bool like) {
  RandomAttrs a;
  EDGERUN_ASSIGN_OR_RETURN(a, ParseRandomAttrs(c, dist, like));
  return MakeFnKernel([a, like](KernelContext& ctx) { return RunRandom(a, like, ctx); });
}

// Bernoulli (opset 15): y[i] = 1 with probability x[i], else 0.
Status RunBernoulli(const std::string& where, DataType out_attr, const SeedSpec& seed, KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  DataType out_dt = out_attr == DataType::kUndefined ? x.dtype() : out_attr;
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, out_dt, x.shape()));
  LegacyRandom gen = seed.MakeGenerator();
  return DispatchFloat(x.dtype(), "Bernoulli", [&]<typename P>() -> Status {
    const P* p = x.data<P>();
    return DispatchAll(out_dt, "Bernoulli output", [&]<typename T>() -> Status {
      if constexpr (std::is_same_v<T, std::string>) {
        return UnsupportedDType("Bernoulli output", out_dt);
      } else {
        T* q = y->data<T>();
        for (int64_t i = 0; i < x.numel(); ++i) {
          double prob = static_cast<double>(static_cast<float>(p[i]));
          if constexpr (std::is_same_v<P, double>) prob = p[i];
          if (!(prob >= 0.0 && prob <= 1.0)) {
            return InvalidArgument(where + ": probability " + std::to_string(prob) + " at " + std::to_string(i) +
                                   " is outside [0, 1]");
          }
          bool one = gen.NextDouble() < prob;
          if constexpr (std::is_same_v<T, bool>) {
            q[i] = one;
          } else {
            q[i] = static_cast<T>(one ? 1.0f : 0.0f);
          }
        }
        return Status::Ok();
      }
    });
  });
}

// Multinomial (opset 7): input [batch, classes] of unnormalized log-probabilities; output
// [batch, sample_size] of sampled class indices.
Status RunMultinomial(const std::string& where, DataType out_dt, int64_t samples, const SeedSpec& seed,
                      KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() != 2) return InvalidArgument(where + ": input must be 2-D [batch, classes], got " +
                                            ShapeToString(x.shape()));
  const int64_t batch = x.dim(0), classes = x.dim(1);
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, out_dt, {batch, samples}));
  if (classes == 0 && batch * samples > 0) return InvalidArgument(where + ": input has zero classes");
  LegacyRandom gen = seed.MakeGenerator();
  std::vector<double> cdf(static_cast<size_t>(classes));
  return DispatchFloat(x.dtype(), "Multinomial", [&]<typename T>() -> Status {
    const T* p = x.data<T>();
    for (int64_t b = 0; b < batch; ++b) {
      const T* row = p + b * classes;
      double mx = -INFINITY;
      for (int64_t c = 0; c < classes; ++c) mx = std::max(mx, static_cast<double>(row[c]));
      double total = 0;
      for (int64_t c = 0; c < classes; ++c) {
        double e = std::isfinite(mx) ? std::exp(static_cast<double>(row[c]) - mx) : 0.0;
        total += std::isnan(e) ? 0.0 : e;
        cdf[c] = total;
      }
      for (int64_t s = 0; s < samples; ++s) {
        double r = gen.NextDouble() * total;
        int64_t k = classes - 1;
        for (int64_t c = 0; c < classes; ++c) {
          if (r < cdf[c]) {
            k = c;
            break;
          }
        }
        if (out_dt == DataType::kInt32) {
          y->data<int32_t>()[b * samples + s] = static_cast<int32_t>(k);
        } else {
          y->data<int64_t>()[b * samples + s] = k;
        }
      }
    }
    return Status::Ok();
  });
}

}  // namespace

Result<std::unique_ptr<Kernel>> CreateRandomNormal(const KernelCreateContext& c) {
  return CreateRandom(c, Dist::kNormal, false);
}
Result<std::unique_ptr<Kernel>> CreateRandomUniform(const KernelCreateContext& c) {
  return CreateRandom(c, Dist::kUniform, false);
}
Result<std::unique_ptr<Kernel>> CreateRandomNormalLike(const KernelCreateContext& c) {
  return CreateRandom(c, Dist::kNormal, true);
}
Result<std::unique_ptr<Kernel>> CreateRandomUniformLike(const KernelCreateContext& c) {
  return CreateRandom(c, Dist::kUniform, true);
}

Result<std::unique_ptr<Kernel>> CreateBernoulli(const KernelCreateContext& c) {
  std::string where = c.node.Describe();
  DataType out = DataType::kUndefined;
  if (c.node.HasAttribute("dtype")) {
    int64_t dt = c.node.GetInt("dtype", 0);
    if (!IsKnownDataType(static_cast<int32_t>(dt)) || dt == static_cast<int64_t>(DataType::kString) ||
        dt == static_cast<int64_t>(DataType::kUndefined)) {
      return InvalidArgument(where + ": unsupported dtype " + std::to_string(dt));
    }
    out = static_cast<DataType>(dt);
  }
  SeedSpec seed = SeedSpec::FromNode(c.node);
  return MakeFnKernel([where, out, seed](KernelContext& ctx) { return RunBernoulli(where, out, seed, ctx); });
}

Result<std::unique_ptr<Kernel>> CreateMultinomial(const KernelCreateContext& c) {
  std::string where = c.node.Describe();
  int64_t dt = c.node.GetInt("dtype", static_cast<int64_t>(DataType::kInt32));
  if (dt != static_cast<int64_t>(DataType::kInt32) && dt != static_cast<int64_t>(DataType::kInt64)) {
    return InvalidArgument(where + ": dtype must be int32 or int64, got " + std::to_string(dt));
  }
  int64_t samples = c.node.GetInt("sample_size", 1);
  if (samples < 0) return InvalidArgument(where + ": sample_size must be >= 0");
  SeedSpec seed = SeedSpec::FromNode(c.node);
  DataType out = static_cast<DataType>(dt);
  return MakeFnKernel(
      [where, out, samples, seed](KernelContext& ctx) { return RunMultinomial(where, out, samples, seed, ctx); });
}

}  // namespace edgerun
