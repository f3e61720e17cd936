// HannWindow, HammingWindow, BlackmanWindow and MelWeightMatrix reference kernels (opset 17).
// Windows: w[n] = a0 - a1*cos(2*pi*n/N) + a2*cos(4*pi*n/N) with N = size (periodic) or size - 1
// (symmetric). MelWeightMatrix follows the ONNX reference: triangular filters between mel
// points spaced by (high_mel - low_mel) / (num_mel_bins + 2), mapped to FFT bins by
// floor((dft_length + 1) * hz / sample_rate).
#include <cmath>
#include <numbers>
#include <string>
#include <type_traits>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/signal_kernels.h"

namespace edgerun {
namespace {

Result<DataType> ParseOutputType(const KernelCreateContext& c) {
  int64_t dt = c.node.GetInt("output_datatype", static_cast<int64_t>(DataType::kFloat));
  DataType d = static_cast<DataType>(dt);
  if (!IsKnownDataType(static_cast<int32_t>(dt)) || d == DataType::kString || d == DataType::kBool ||
      d == DataType::kUndefined) {
    return InvalidArgument(c.node.Describe() + ": unsupported output_datatype " + std::to_string(dt));
  }
  return d;
}

// Reads input `index` as a scalar number.
Result<double> ReadScalarInput(KernelContext& ctx, size_t index, const std::string& what) {
  if (!ctx.has_input(index)) return InvalidArgument(what + " is required");
  const Tensor& t = ctx.input(index);
  if (t.numel() != 1) return InvalidArgument(what + " must be a scalar, got shape " + ShapeToString(t.shape()));
  return ReadScalarAsDouble(t, what.c_str());
}

// Writes `values` (computed in double) as `dt`.
Status StoreAs(DataType dt, const std::vector<double>& values, Tensor* out) {
  return DispatchNumeric(dt, "window output", [&]<typename T>() -> Status {
    T* p = out->data<T>();
    for (size_t i = 0; i < values.size(); ++i) {
      if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
        p[i] = static_cast<T>(values[i]);
      } else {
        p[i] = static_cast<T>(std::trunc(values[i]));
      }
    }
    return Status::Ok();
  });
}

struct WindowSpec {
  double a0, a1, a2;
};

Result<std::unique_ptr<Kernel>> CreateWindow(const KernelCreateContext& c, WindowSpec spec) {
  DataType out_dt;
  EDGERUN_ASSIGN_OR_RETURN(out_dt, ParseOutputType(c));
  bool periodic = c.node.GetInt("periodic", 1) != 0;
  std::string where = c.node.Describe();
  return MakeFnKernel([=](KernelContext& ctx) -> Status {
    double size_d;
    EDGERUN_ASSIGN_OR_RETURN(size_d, ReadScalarInput(ctx, 0, where + ": size"));
    if (!(size_d >= 0 && size_d < 4.0e18)) return InvalidArgument(where + ": size must be >= 0");
    const int64_t size = static_cast<int64_t>(size_d);
    Tensor* y;
    EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, out_dt, {size}));
    const double n_div = static_cast<double>(periodic ? size : size - 1);
    std::vector<double> w(static_cast<size_t>(size));
    for (int64_t n = 0; n < size; ++n) {
      if (n_div <= 0) {
        w[n] = 1.0;  // a one-point symmetric window
        continue;
      }
      double t = 2.0 * std::numbers::pi * static_cast<double>(n) / n_div;
      w[n] = spec.a0 - spec.a1 * std::cos(t) + spec.a2 * std::cos(2.0 * t);
    }
    return StoreAs(out_dt, w, y);
  });
}

Status RunMelWeightMatrix(const std::string& where, DataType out_dt, KernelContext& ctx) {
  double num_bins_d, dft_d, rate_d, lower_d, upper_d;
  EDGERUN_ASSIGN_OR_RETURN(num_bins_d, ReadScalarInput(ctx, 0, where + ": num_mel_bins"));
  EDGERUN_ASSIGN_OR_RETURN(dft_d, ReadScalarInput(ctx, 1, where + ": dft_length"));
  EDGERUN_ASSIGN_OR_RETURN(rate_d, ReadScalarInput(ctx, 2, where + ": sample_rate"));
  EDGERUN_ASSIGN_OR_RETURN(lower_d, ReadScalarInput(ctx, 3, where + ": lower_edge_hertz"));
  EDGERUN_ASSIGN_OR_RETURN(upper_d, ReadScalarInput(ctx, 4, where + ": upper_edge_hertz"));
  if (!(num_bins_d >= 0 && num_bins_d < 4.0e18) || !(dft_d >= 1 && dft_d < 4.0e18) || !(rate_d >= 1)) {
    return InvalidArgument(where + ": num_mel_bins must be >= 0, dft_length and sample_rate >= 1");
  }
  if (!std::isfinite(lower_d) || !std::isfinite(upper_d) || lower_d < 0 || upper_d < lower_d) {
    return InvalidArgument(where + ": need 0 <= lower_edge_hertz <= upper_edge_hertz");
  }
  const int64_t num_bins = static_cast<int64_t>(num_bins_d), dft = static_cast<int64_t>(dft_d);
  const int64_t spec_bins = dft / 2 + 1;
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, out_dt, {spec_bins, num_bins}));
  // Mel edges in float, as the reference computes them from float32 inputs.
  const float low_mel = 2595.f * std::log10(1.f + static_cast<float>(lower_d) / 700.f);
  const float high_mel = 2595.f * std::log10(1.f + static_cast<float>(upper_d) / 700.f);
  const float mel_step = (high_mel - low_mel) / static_cast<float>(num_bins + 2);
  Dims points(static_cast<size_t>(num_bins + 2));
  for (int64_t i = 0; i < num_bins + 2; ++i) {
    double mel = static_cast<double>(i) * mel_step + low_mel;
    double hz = 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
    points[i] = static_cast<int64_t>(std::floor(static_cast<double>(dft + 1) * hz / rate_d));
  }
  std::vector<double> w(static_cast<size_t>(spec_bins * num_bins), 0.0);
  auto set = [&](int64_t row, int64_t col, double v) {
    if (row >= 0 && row < spec_bins) w[row * num_bins + col] = v;
  };
  for (int64_t i = 0; i < num_bins; ++i) {
    const int64_t lo = points[i], center = points[i + 1], hi = points[i + 2];
    const int64_t up = center - lo, down = hi - center;
    if (up == 0) {
      set(center, i, 1.0);
    } else {
      for (int64_t j = lo; j <= center; ++j) set(j, i, static_cast<double>(j - lo) / static_cast<double>(up));
    }
    if (down > 0) {
      for (int64_t j = center; j < hi; ++j) set(j, i, static_cast<double>(hi - j) / static_cast<double>(down));
    }
  }
  return StoreAs(out_dt, w, y);
}

}  // namespace

Result<std::unique_ptr<Kernel>> CreateHannWindow(const KernelCreateContext& c) {
  return CreateWindow(c, {0.5, 0.5, 0.0});
}

Result<std::unique_ptr<Kernel>> CreateHammingWindow(const KernelCreateContext& c) {
  return CreateWindow(c, {25.0 / 46.0, 1.0 - 25.0 / 46.0, 0.0});
}

Result<std::unique_ptr<Kernel>> CreateBlackmanWindow(const KernelCreateContext& c) {
  return CreateWindow(c, {0.42, 0.5, 0.08});
}

Result<std::unique_ptr<Kernel>> CreateMelWeightMatrix(const KernelCreateContext& c) {
  DataType out_dt;
  EDGERUN_ASSIGN_OR_RETURN(out_dt, ParseOutputType(c));
  std::string where = c.node.Describe();
  return MakeFnKernel([where, out_dt](KernelContext& ctx) { return RunMelWeightMatrix(where, out_dt, ctx); });
}

}  // namespace edgerun
