// Reference LayerNormalization (opset 17: axis, epsilon, stash_type, optional Mean and InvStdDev
// outputs) and GroupNormalization (opset 18: scale/bias per group; opset 21: per channel).
// Statistics accumulate in double. Float LayerNormalization with Scale and B of the normalized
// shape (the usual case) normalizes in float after the double statistics (LayerNormF32, norm.h).
// Thread-safety: kernels are immutable after creation.
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

// Expands a tensor broadcastable to `shape` into one double per element of `shape`.
Result<std::vector<double>> ExpandTo(const Tensor& t, const Shape& shape, const char* what) {
  std::vector<double> raw;
  EDGERUN_ASSIGN_OR_RETURN(raw, ReadFloatsAsDouble(t, what));
  Shape b;
  EDGERUN_ASSIGN_OR_RETURN(b, BroadcastShapes({shape, t.shape()}));
  if (b != shape) {
    return InvalidArgument(std::string(what) + " shape " + ShapeToString(t.shape()) +
                           " does not broadcast to the normalized shape " + ShapeToString(shape));
  }
  const int64_t n = ShapeSize(shape);
  std::vector<double> out(static_cast<size_t>(n));
  BroadcastWalker w(shape, {&t.shape()});
  for (int64_t i = 0; i < n; ++i, w.Next()) out[static_cast<size_t>(i)] = raw[static_cast<size_t>(w.offset(0))];
  return out;
}

// Normalizes `rows` rows of `len` contiguous elements: y = (x - mean) * inv_std * s + b, with
// (s, b) from coef(row, i). Stores each row's mean and inv_std where the pointers are non-null.
template <typename T, typename CoefFn>
void NormalizeRows(const T* x, T* y, int64_t rows, int64_t len, double epsilon, CoefFn coef, double* means,
                   double* inv_stds) {
  using V = NnComputeType<T>;
  for (int64_t r = 0; r < rows; ++r) {
    const T* src = x + r * len;
    T* dst = y + r * len;
    double sum = 0;
    for (int64_t i = 0; i < len; ++i) sum += static_cast<double>(static_cast<V>(src[i]));
    const double mean = len > 0 ? sum / static_cast<double>(len) : 0.0;
    double sq = 0;
    for (int64_t i = 0; i < len; ++i) {
      const double d = static_cast<double>(static_cast<V>(src[i])) - mean;
      sq += d * d;
    }
    const double var = len > 0 ? sq / static_cast<double>(len) : 0.0;
    const double inv_std = 1.0 / std::sqrt(var + epsilon);
    for (int64_t i = 0; i < len; ++i) {
      double s, b;
      coef(r, i, &s, &b);
      const double v = (static_cast<double>(static_cast<V>(src[i])) - mean) * inv_std * s + b;
      if constexpr (std::is_same_v<T, double>) {
        dst[i] = v;
      } else {
        dst[i] = T(static_cast<float>(v));
      }
    }
    if (means) means[r] = mean;
    if (inv_stds) inv_stds[r] = inv_std;
  }
}

}  // namespace

bool LayerNormF32Applies(const KernelContext& ctx, int64_t axis) {
  const Tensor& x = ctx.input(0);
  if (x.dtype() != DataType::kFloat || ctx.output_wanted(1) || ctx.output_wanted(2)) return false;
  int64_t len = 1;
  for (int64_t d = axis; d < x.rank(); ++d) len *= x.dim(d);
  auto coef_ok = [&](size_t i) {
    if (!ctx.has_input(i)) return i == 2;
    const Tensor& t = ctx.input(i);
    if (t.dtype() != DataType::kFloat || t.numel() != len || t.rank() > x.rank() - axis) return false;
    for (int64_t d = 0; d < t.rank(); ++d) {  // the trailing dims of the normalized shape
      if (t.dim(d) != x.dim(x.rank() - t.rank() + d)) return false;
    }
    return true;
  };
  return len > 0 && coef_ok(1) && coef_ok(2);
}

void LayerNormF32(const KernelContext& ctx, int64_t axis, double epsilon, Tensor* y) {
  const Tensor& x = ctx.input(0);
  int64_t len = 1;
  for (int64_t d = axis; d < x.rank(); ++d) len *= x.dim(d);
  const int64_t rows = x.numel() / len;
  const float* s = ctx.input(1).data<float>();
  const float* b = ctx.has_input(2) ? ctx.input(2).data<float>() : nullptr;
  const float* src = x.data<float>();
  float* dst = y->data<float>();
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = src + r * len;
    float* yr = dst + r * len;
    double sum = 0;
    for (int64_t i = 0; i < len; ++i) sum += xr[i];
    const double mean = sum / static_cast<double>(len);
    double sq = 0;
    for (int64_t i = 0; i < len; ++i) {
      const double d = xr[i] - mean;
      sq += d * d;
    }
    const float m = static_cast<float>(mean);
    const float inv_std = static_cast<float>(1.0 / std::sqrt(sq / static_cast<double>(len) + epsilon));
    if (b != nullptr) {
      for (int64_t i = 0; i < len; ++i) yr[i] = (xr[i] - m) * inv_std * s[i] + b[i];
    } else {
      for (int64_t i = 0; i < len; ++i) yr[i] = (xr[i] - m) * inv_std * s[i];
    }
  }
}

namespace {

Status RunLayerNorm(KernelContext& ctx, int64_t axis_attr, double epsilon, DataType stash) {
  if (!ctx.has_input(0) || !ctx.has_input(1)) return InvalidArgument("LayerNormalization needs inputs X and Scale");
  const Tensor& x = ctx.input(0);
  int64_t axis;
  EDGERUN_ASSIGN_OR_RETURN(axis, NormalizeAxis(axis_attr, x.rank()));
  if (LayerNormF32Applies(ctx, axis)) {
    Tensor* y;
    EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), x.shape()));
    LayerNormF32(ctx, axis, epsilon, y);
    return Status::Ok();
  }
  const Shape norm_shape(x.shape().begin() + axis, x.shape().end());
  const int64_t len = ShapeSize(norm_shape);
  const int64_t rows = len == 0 ? 0 : x.numel() / len;
  std::vector<double> scale, bias;
  EDGERUN_ASSIGN_OR_RETURN(scale, ExpandTo(ctx.input(1), norm_shape, "Scale"));
  if (ctx.has_input(2)) {
    EDGERUN_ASSIGN_OR_RETURN(bias, ExpandTo(ctx.input(2), norm_shape, "B"));
  } else {
    bias.assign(scale.size(), 0.0);
  }
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), x.shape()));
  std::vector<double> means(static_cast<size_t>(rows)), inv_stds(static_cast<size_t>(rows));
  EDGERUN_RETURN_IF_ERROR(DispatchFloat(x.dtype(), "LayerNormalization", [&]<typename T>() -> Status {
    NormalizeRows<T>(
        x.data<T>(), y->data<T>(), rows, len, epsilon,
        [&](int64_t, int64_t i, double* s, double* b) {
          *s = scale[static_cast<size_t>(i)];
          *b = bias[static_cast<size_t>(i)];
        },
        means.data(), inv_stds.data());
    return Status::Ok();
  }));
  Shape stat_shape(x.shape().begin(), x.shape().begin() + axis);
  stat_shape.resize(static_cast<size_t>(x.rank()), 1);
  const std::vector<double>* stats[2] = {&means, &inv_stds};
  for (size_t i = 1; i < 3; ++i) {
    if (!ctx.output_wanted(i)) continue;
    Tensor* out;
    EDGERUN_ASSIGN_OR_RETURN(out, ctx.AllocateOutput(i, stash, stat_shape));
    EDGERUN_RETURN_IF_ERROR(WriteDoublesAsFloat(*stats[i - 1], out));
  }
  return Status::Ok();
}

Status RunGroupNorm(KernelContext& ctx, int64_t num_groups, double epsilon, bool per_channel_coef) {
  for (size_t i = 0; i < 3; ++i) {
    if (!ctx.has_input(i)) return InvalidArgument("GroupNormalization needs inputs X, scale and bias");
  }
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2) return InvalidArgument("X must have rank >= 2 (N, C, ...), got " + ShapeToString(x.shape()));
  const int64_t batch = x.dim(0), channels = x.dim(1);
  if (channels % num_groups != 0) {
    return InvalidArgument("channel count " + std::to_string(channels) + " is not divisible by num_groups " +
                           std::to_string(num_groups));
  }
  std::vector<double> scale, bias;
  EDGERUN_ASSIGN_OR_RETURN(scale, ReadFloatsAsDouble(ctx.input(1), "scale"));
  EDGERUN_ASSIGN_OR_RETURN(bias, ReadFloatsAsDouble(ctx.input(2), "bias"));
  const int64_t want = per_channel_coef ? channels : num_groups;
  if (static_cast<int64_t>(scale.size()) != want || static_cast<int64_t>(bias.size()) != want) {
    return InvalidArgument("scale and bias must have " + std::to_string(want) + " values, got " +
                           ShapeToString(ctx.input(1).shape()) + " and " + ShapeToString(ctx.input(2).shape()));
  }
  const int64_t spatial = batch * channels == 0 ? 0 : x.numel() / (batch * channels);
  const int64_t group_channels = channels / num_groups;
  const int64_t len = group_channels * spatial;
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), x.shape()));
  return DispatchFloat(x.dtype(), "GroupNormalization", [&]<typename T>() -> Status {
    NormalizeRows<T>(
        x.data<T>(), y->data<T>(), batch * num_groups, len, epsilon,
        [&](int64_t row, int64_t i, double* s, double* b) {
          const int64_t g = row % num_groups;
          const size_t k = static_cast<size_t>(per_channel_coef ? g * group_channels + i / spatial : g);
          *s = scale[k];
          *b = bias[k];
        },
        nullptr, nullptr);
    return Status::Ok();
  });
}

}  // namespace

void RegisterLayerNormKernels(KernelRegistry& r) {
  r.Register("LayerNormalization", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    const int64_t axis = kc.node.GetInt("axis", -1);
    const double epsilon = kc.node.GetFloat("epsilon", 1e-5f);
    const int64_t stash_type = kc.node.GetInt("stash_type", 1);
    DataType stash = static_cast<DataType>(stash_type);
    if (!IsKnownDataType(static_cast<int32_t>(stash_type)) ||
        (stash != DataType::kFloat && stash != DataType::kDouble && stash != DataType::kFloat16 &&
         stash != DataType::kBFloat16)) {
      return InvalidArgument(kc.node.Describe() + ": stash_type must be a floating type, got " + std::to_string(stash_type));
    }
    return MakeFnKernel([axis, epsilon, stash](KernelContext& ctx) { return RunLayerNorm(ctx, axis, epsilon, stash); });
  });
  r.Register("GroupNormalization", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    const int64_t num_groups = kc.node.GetInt("num_groups", 0);
    if (num_groups < 1) return InvalidArgument(kc.node.Describe() + ": num_groups must be positive");
    const double epsilon = kc.node.GetFloat("epsilon", 1e-5f);
    const bool per_channel = kc.opset >= 21;
    return MakeFnKernel([num_groups, epsilon, per_channel](KernelContext& ctx) {
      return RunGroupNorm(ctx, num_groups, epsilon, per_channel);
    });
  });
}

}  // namespace edgerun
