// Reference BatchNormalization (inference, and training mode with running statistics) and
// InstanceNormalization. Statistics accumulate in double; float16/bfloat16 data compute via float.
// Thread-safety: kernels are immutable after creation; Run keeps its state on the stack.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "kernels/reference/conv_util.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/norm.h"

namespace edgerun {
namespace {

// y[n, c, s] = x[n, c, s] * a[c or c*S+s] + b[...]; `per_element` when the coefficients cover
// every (c, s) (BatchNormalization with spatial = 0 before opset 9).
template <typename T>
void ApplyAffine(const Tensor& x, const std::vector<double>& a, const std::vector<double>& b, bool per_element,
                 Tensor* y) {
  using V = NnComputeType<T>;
  const int64_t batch = x.dim(0), channels = x.dim(1);
  const int64_t spatial = batch * channels == 0 ? 0 : x.numel() / (batch * channels);
  const T* xp = x.data<T>();
  T* yp = y->data<T>();
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t base = (n * channels + c) * spatial;
      for (int64_t s = 0; s < spatial; ++s) {
        const size_t k = static_cast<size_t>(per_element ? c * spatial + s : c);
        const V v = static_cast<V>(static_cast<V>(xp[base + s]) * static_cast<V>(a[k]) + static_cast<V>(b[k]));
        if constexpr (std::is_same_v<T, V>) {
          yp[base + s] = v;
        } else {
          yp[base + s] = T(v);
        }
      }
    }
  }
}

// Mean and population variance of x over the axes selected by `per_channel_over_batch`: over N and
// the spatial dims per channel (BatchNormalization), or over the spatial dims per (n, c)
// (InstanceNormalization, one entry per plane).
template <typename T>
void PlaneStats(const Tensor& x, bool per_channel_over_batch, std::vector<double>* mean, std::vector<double>* var) {
  using V = NnComputeType<T>;
  const int64_t batch = x.dim(0), channels = x.dim(1);
  const int64_t spatial = batch * channels == 0 ? 0 : x.numel() / (batch * channels);
  const size_t groups = static_cast<size_t>(per_channel_over_batch ? channels : batch * channels);
  std::vector<double> sum(groups, 0.0), sq(groups, 0.0);
  Dims count(groups, 0);
  const T* xp = x.data<T>();
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      const size_t gi = static_cast<size_t>(per_channel_over_batch ? c : n * channels + c);
      const T* src = xp + (n * channels + c) * spatial;
      double s = 0, q = 0;
      for (int64_t i = 0; i < spatial; ++i) {
        const double v = static_cast<double>(static_cast<V>(src[i]));
        s += v;
        q += v * v;
      }
      sum[gi] += s;
      sq[gi] += q;
      count[gi] += spatial;
    }
  }
  mean->assign(groups, 0.0);
  var->assign(groups, 0.0);
  for (size_t g = 0; g < groups; ++g) {
    if (count[g] == 0) continue;
    const double m = sum[g] / static_cast<double>(count[g]);
    (*mean)[g] = m;
    (*var)[g] = std::max(0.0, sq[g] / static_cast<double>(count[g]) - m * m);
  }
}

class BatchNormKernel final : public Kernel {
 public:
  BatchNormKernel(double epsilon, double momentum, bool training, int opset)
      : epsilon_(epsilon), momentum_(momentum), training_(training), opset_(opset) {}

  Status Run(KernelContext& ctx) const override {
    for (size_t i = 0; i < 5; ++i) {
      if (!ctx.has_input(i)) return InvalidArgument("BatchNormalization needs inputs X, scale, B, mean and var");
    }
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2) return InvalidArgument("X must have rank >= 2 (N, C, ...), got " + ShapeToString(x.shape()));
    const int64_t channels = x.dim(1);
    const int64_t spatial = x.dim(0) * channels == 0 ? 0 : x.numel() / (x.dim(0) * channels);
    std::vector<double> params[4];
    const char* names[4] = {"scale", "B", "mean", "var"};
    bool per_element = false;
    for (size_t i = 0; i < 4; ++i) {
      EDGERUN_ASSIGN_OR_RETURN(params[i], ReadFloatsAsDouble(ctx.input(i + 1), names[i]));
      const int64_t n = static_cast<int64_t>(params[i].size());
      if (n == channels) continue;
      if (opset_ < 9 && n == channels * spatial && spatial != 1) {
        per_element = true;
        continue;
      }
      return InvalidArgument(std::string(names[i]) + " has shape " + ShapeToString(ctx.input(i + 1).shape()) +
                             ", expected (" + std::to_string(channels) + ")");
    }
    for (size_t i = 0; i < 4; ++i) {
      if (per_element && static_cast<int64_t>(params[i].size()) != channels * spatial) {
        return InvalidArgument("scale, B, mean and var must all be per channel or all per activation");
      }
    }
    bool training = training_;
    if (opset_ < 14) {
      for (size_t i = 1; i < 5; ++i) training = training || ctx.output_wanted(i);
    }
    std::vector<double> mean = params[2], var = params[3];
    std::vector<double> batch_mean, batch_var;
    if (training) {
      if (per_element) return Unsupported("training mode with per-activation statistics");
      EDGERUN_RETURN_IF_ERROR(DispatchFloat(x.dtype(), "BatchNormalization", [&]<typename T>() -> Status {
        PlaneStats<T>(x, true, &batch_mean, &batch_var);
        return Status::Ok();
      }));
      mean = batch_mean;
      var = batch_var;
    }
    std::vector<double> a(params[0].size()), b(params[0].size());
    for (size_t k = 0; k < a.size(); ++k) {
      a[k] = params[0][k] / std::sqrt(var[k] + epsilon_);
      b[k] = params[1][k] - mean[k] * a[k];
    }
    Tensor* y;
    EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), x.shape()));
    EDGERUN_RETURN_IF_ERROR(DispatchFloat(x.dtype(), "BatchNormalization", [&]<typename T>() -> Status {
      ApplyAffine<T>(x, a, b, per_element, y);
      return Status::Ok();
    }));
    if (!training) return Status::Ok();
    // Outputs 1 and 2: running statistics; before opset 14 also 3 and 4: the batch statistics.
    std::vector<double> running[2] = {params[2], params[3]};
    for (size_t k = 0; k < running[0].size(); ++k) {
      running[0][k] = params[2][k] * momentum_ + batch_mean[k] * (1.0 - momentum_);
      running[1][k] = params[3][k] * momentum_ + batch_var[k] * (1.0 - momentum_);
    }
    const std::vector<double>* values[4] = {&running[0], &running[1], &batch_mean, &batch_var};
    for (size_t i = 1; i < 5; ++i) {
      if (!ctx.output_wanted(i) || (i >= 3 && opset_ >= 14)) continue;
      const Tensor& like = ctx.input(i >= 3 ? i : i + 2);
      Tensor* out;
      EDGERUN_ASSIGN_OR_RETURN(out, ctx.AllocateOutput(i, like.dtype(), {channels}));
      EDGERUN_RETURN_IF_ERROR(WriteDoublesAsFloat(*values[i - 1], out));
    }
    return Status::Ok();
  }

 private:
  double epsilon_, momentum_;
  bool training_;
  int opset_;
};

Status RunInstanceNorm(KernelContext& ctx, double epsilon) {
  for (size_t i = 0; i < 3; ++i) {
    if (!ctx.has_input(i)) return InvalidArgument("InstanceNormalization needs inputs input, scale and B");
  }
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2) return InvalidArgument("input must have rank >= 2 (N, C, ...), got " + ShapeToString(x.shape()));
  const int64_t batch = x.dim(0), channels = x.dim(1);
  std::vector<double> scale, bias;
  EDGERUN_ASSIGN_OR_RETURN(scale, ReadFloatsAsDouble(ctx.input(1), "scale"));
  EDGERUN_ASSIGN_OR_RETURN(bias, ReadFloatsAsDouble(ctx.input(2), "B"));
  if (static_cast<int64_t>(scale.size()) != channels || static_cast<int64_t>(bias.size()) != channels) {
    return InvalidArgument("scale and B must have " + std::to_string(channels) + " values, got " +
                           ShapeToString(ctx.input(1).shape()) + " and " + ShapeToString(ctx.input(2).shape()));
  }
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), x.shape()));
  return DispatchFloat(x.dtype(), "InstanceNormalization", [&]<typename T>() -> Status {
    std::vector<double> mean, var;
    PlaneStats<T>(x, false, &mean, &var);
    // View (N, C, S) as (1, N*C, S) so ApplyAffine uses one coefficient per plane.
    std::vector<double> a(mean.size()), b(mean.size());
    for (int64_t n = 0; n < batch; ++n) {
      for (int64_t c = 0; c < channels; ++c) {
        const size_t k = static_cast<size_t>(n * channels + c);
        a[k] = scale[static_cast<size_t>(c)] / std::sqrt(var[k] + epsilon);
        b[k] = bias[static_cast<size_t>(c)] - mean[k] * a[k];
      }
    }
    const int64_t planes = batch * channels;
    const int64_t spatial = planes == 0 ? 0 : x.numel() / planes;
    Tensor xv = x.Reshaped({1, planes, spatial});
    Tensor yv = y->Reshaped({1, planes, spatial});
    ApplyAffine<T>(xv, a, b, false, &yv);
    return Status::Ok();
  });
}

}  // namespace

void RegisterBatchNormKernels(KernelRegistry& r) {
  r.Register("BatchNormalization", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    const double epsilon = kc.node.GetFloat("epsilon", 1e-5f);
    const double momentum = kc.node.GetFloat("momentum", 0.9f);
    const bool training = kc.opset >= 14 && kc.node.GetInt("training_mode", 0) != 0;
    return std::unique_ptr<Kernel>(std::make_unique<BatchNormKernel>(epsilon, momentum, training, kc.opset));
  });
  r.Register("InstanceNormalization", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    const double epsilon = kc.node.GetFloat("epsilon", 1e-5f);
    return MakeFnKernel([epsilon](KernelContext& ctx) { return RunInstanceNorm(ctx, epsilon); });
  });
}

}  // namespace edgerun
