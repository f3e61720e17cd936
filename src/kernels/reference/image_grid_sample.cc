// GridSample (opset 16: 2-D, opset 20: N-D) and AffineGrid (opset 20) reference kernels,
// following ONNX's reference semantics (PyTorch grid_sample): normalized grid coordinates are
// denormalized per spatial axis, optionally clamped or reflected into range, then sampled with
// nearest, linear or cubic (Keys, a = -0.75) interpolation.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/image_kernels.h"
#include "kernels/reference/image_util.h"

namespace edgerun {
namespace {

enum class GridMode { kNearest, kLinear, kCubic };
enum class GridPadding { kZeros, kBorder, kReflection };

struct GridSampleConfig {
  GridMode mode = GridMode::kLinear;
  GridPadding padding = GridPadding::kZeros;
  bool align_corners = false;
  int opset = 16;
  std::string desc;
};

double Denormalize(double n, int64_t length, bool align_corners) {
  const double len = static_cast<double>(length);
  return align_corners ? (n + 1.0) / 2.0 * (len - 1.0) : ((n + 1.0) * len - 1.0) / 2.0;
}

// Reflects x by the nearer border until it lies in [lo, hi].
double Reflect(double x, double lo, double hi) {
  const double range = hi - lo;
  if (range <= 0.0) return lo;
  if (x < lo) {
    const double dx = lo - x;
    const double n = std::floor(dx / range);
    const double r = dx - n * range;
    return std::fmod(n, 2.0) == 0.0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const double dx = x - hi;
    const double n = std::floor(dx / range);
    const double r = dx - n * range;
    return std::fmod(n, 2.0) == 0.0 ? hi - r : lo + r;
  }
  return x;
}

void CubicCoeffs(double t, double* c) {
  constexpr double a = -0.75;
  auto w = [](double x) {
    x = std::fabs(x);
    if (x <= 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
    if (x < 2.0) return ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a;
    return 0.0;
  };
  c[0] = w(t + 1.0);
  c[1] = w(t);
  c[2] = w(1.0 - t);
  c[3] = w(2.0 - t);
}

class GridSampleKernel final : public Kernel {
 public:
  explicit GridSampleKernel(GridSampleConfig cfg) : cfg_(std::move(cfg)) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& grid = ctx.input(1);
    const int64_t r = x.rank() - 2;
    if (r < 1 || (cfg_.opset < 20 && r != 2)) {
      return Fail("X has shape " + ShapeToString(x.shape()) + (cfg_.opset < 20 ? ", expected 4 dims" : ", expected >= 3 dims"));
    }
    if (grid.rank() != r + 2 || grid.dim(0) != x.dim(0) || grid.dim(r + 1) != r) {
      return Fail("grid has shape " + ShapeToString(grid.shape()) + ", expected [" + std::to_string(x.dim(0)) +
                  ", ..., " + std::to_string(r) + "] with " + std::to_string(r + 2) + " dims");
    }
    Shape out_shape = {x.dim(0), x.dim(1)};
    for (int64_t i = 1; i <= r; ++i) out_shape.push_back(grid.dim(i));
    Tensor* y = nullptr;
    EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), out_shape));
    // An empty spatial input has no pixel to sample: the (zero-filled) output is all padding.
    if (y->numel() == 0 || ShapeSize(Shape(x.shape().begin() + 2, x.shape().end())) == 0) return Status::Ok();
    std::vector<double> g;
    EDGERUN_ASSIGN_OR_RETURN(g, ReadFloatsAsDouble(grid, "GridSample grid"));
    return DispatchNumeric(x.dtype(), "GridSample", [&]<typename T>() -> Status {
      Sample(x.data<T>(), x.shape(), g, out_shape, y->data<T>());
      return Status::Ok();
    });
  }

 private:
  Status Fail(const std::string& m) const { return InvalidArgument(cfg_.desc + ": " + m); }

  template <typename T>
  void Sample(const T* x, const Shape& xs, const std::vector<double>& g, const Shape& ys, T* y) const {
    const size_t r = xs.size() - 2;
    const int64_t n_batch = xs[0];
    const int64_t channels = xs[1];
    int64_t in_spatial = 1;
    int64_t out_spatial = 1;
    for (size_t i = 0; i < r; ++i) {
      in_spatial *= xs[2 + i];
      out_spatial *= ys[2 + i];
    }
    Dims stride(r, 1);
    for (size_t i = r - 1; i-- > 0;) stride[i] = stride[i + 1] * xs[3 + i];

    const size_t taps_per_dim = cfg_.mode == GridMode::kCubic ? 4 : cfg_.mode == GridMode::kLinear ? 2 : 1;
    Dims tap_off(r * taps_per_dim);  // -1: zero padding
    std::vector<double> tap_w(r * taps_per_dim);
    Dims combo_off;
    std::vector<double> combo_w;
    std::vector<size_t> odo(r);

    for (int64_t n = 0; n < n_batch; ++n) {
      for (int64_t p = 0; p < out_spatial; ++p) {
        const double* gp = g.data() + (n * out_spatial + p) * static_cast<int64_t>(r);
        for (size_t i = 0; i < r; ++i) {
          // The grid lists coordinates innermost axis first.
          const int64_t len = xs[2 + i];
          ComputeTaps(gp[r - 1 - i], len, stride[i], r == 3, &tap_off[i * taps_per_dim], &tap_w[i * taps_per_dim]);
        }
        // Cartesian product of per-axis taps, dropping any that touch zero padding.
        combo_off.clear();
        combo_w.clear();
        std::fill(odo.begin(), odo.end(), 0);
        while (true) {
          int64_t off = 0;
          double w = 1.0;
          bool zero = false;
          for (size_t i = 0; i < r; ++i) {
            const int64_t o = tap_off[i * taps_per_dim + odo[i]];
            if (o < 0) {
              zero = true;
              break;
            }
            off += o;
            w *= tap_w[i * taps_per_dim + odo[i]];
          }
          if (!zero && w != 0.0) {
            combo_off.push_back(off);
            combo_w.push_back(w);
          }
          size_t d = r;
          while (d > 0 && ++odo[d - 1] == taps_per_dim) odo[--d] = 0;
          if (d == 0) break;
        }
        for (int64_t c = 0; c < channels; ++c) {
          const T* xc = x + (n * channels + c) * in_spatial;
          double acc = 0.0;
          for (size_t k = 0; k < combo_off.size(); ++k) acc += combo_w[k] * ImageToDouble(xc[combo_off[k]]);
          y[(n * channels + c) * out_spatial + p] = ImageFromDouble<T>(acc);
        }
      }
    }
  }

  // Offset (index * stride, or -1 for a zero-padded pixel) of an integer index along one axis.
  int64_t PixelOffset(int64_t i, int64_t len, int64_t stride, double lo, double hi) const {
    switch (cfg_.padding) {
      case GridPadding::kZeros:
        return (i >= 0 && i < len) ? i * stride : -1;
      case GridPadding::kBorder:
        return std::clamp<int64_t>(i, 0, len - 1) * stride;
      case GridPadding::kReflection: {
        const int64_t j = static_cast<int64_t>(Reflect(static_cast<double>(i), lo, hi));
        return std::clamp<int64_t>(j, 0, len - 1) * stride;
      }
    }
    return -1;
  }

  void ComputeTaps(double norm, int64_t len, int64_t stride, bool round_away, int64_t* off, double* w) const {
    const double lo = cfg_.align_corners ? 0.0 : -0.5;
    const double hi = cfg_.align_corners ? static_cast<double>(len) - 1.0 : static_cast<double>(len) - 0.5;
    double v = Denormalize(norm, len, cfg_.align_corners);
    if (std::isnan(v)) v = -1e9;  // NaN coordinates read padding
    v = std::clamp(v, -1e9, 1e9);
    // PyTorch rounds half to even in 2-D and half away from zero in 3-D.
    if (cfg_.mode == GridMode::kNearest) v = round_away ? std::round(v) : std::nearbyint(v);
    if (v < lo || v > hi) {
      if (cfg_.padding == GridPadding::kBorder) v = std::clamp(v, 0.0, static_cast<double>(len) - 1.0);
      else if (cfg_.padding == GridPadding::kReflection) v = Reflect(v, lo, hi);
    }
    if (cfg_.mode == GridMode::kNearest) {
      off[0] = PixelOffset(static_cast<int64_t>(v), len, stride, lo, hi);
      w[0] = 1.0;
      return;
    }
    const double f = std::floor(v);
    const int64_t i0 = static_cast<int64_t>(f);
    const double t = v - f;
    if (cfg_.mode == GridMode::kLinear) {
      off[0] = PixelOffset(i0, len, stride, lo, hi);
      off[1] = PixelOffset(i0 + 1, len, stride, lo, hi);
      w[0] = 1.0 - t;
      w[1] = t;
      return;
    }
    CubicCoeffs(t, w);
    for (int64_t k = 0; k < 4; ++k) off[k] = PixelOffset(i0 - 1 + k, len, stride, lo, hi);
  }

  GridSampleConfig cfg_;
};

class AffineGridKernel final : public Kernel {
 public:
  AffineGridKernel(bool align_corners, std::string desc) : align_corners_(align_corners), desc_(std::move(desc)) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor& theta = ctx.input(0);
    Dims size;
    EDGERUN_ASSIGN_OR_RETURN(size, ReadInt64s(ctx.input(1), "AffineGrid size"));
    if (size.size() != 4 && size.size() != 5) {
      return InvalidArgument(desc_ + ": size must have 4 or 5 elements, got " + std::to_string(size.size()));
    }
    const int64_t r = static_cast<int64_t>(size.size()) - 2;
    if (theta.rank() != 3 || theta.dim(0) != size[0] || theta.dim(1) != r || theta.dim(2) != r + 1) {
      return InvalidArgument(desc_ + ": theta has shape " + ShapeToString(theta.shape()) + ", expected [" +
                             std::to_string(size[0]) + ", " + std::to_string(r) + ", " + std::to_string(r + 1) + "]");
    }
    Shape out_shape = {size[0]};
    for (int64_t i = 0; i < r; ++i) {
      if (size[2 + i] < 0) return InvalidArgument(desc_ + ": size has a negative dimension");
      out_shape.push_back(size[2 + i]);
    }
    out_shape.push_back(r);
    Tensor* y = nullptr;
    EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, theta.dtype(), out_shape));
    if (y->numel() == 0) return Status::Ok();
    std::vector<double> th;
    EDGERUN_ASSIGN_OR_RETURN(th, ReadFloatsAsDouble(theta, "AffineGrid theta"));
    return DispatchFloat(theta.dtype(), "AffineGrid", [&]<typename T>() -> Status {
      T* out = y->data<T>();
      const int64_t points = ShapeSize(Shape(out_shape.begin() + 1, out_shape.end() - 1));
      std::vector<double> base(static_cast<size_t>(r) + 1, 1.0);  // (x, y[, z], 1): innermost axis first
      Dims idx(static_cast<size_t>(r), 0);
      for (int64_t n = 0; n < size[0]; ++n) {
        const double* m = th.data() + n * r * (r + 1);
        std::fill(idx.begin(), idx.end(), 0);
        for (int64_t p = 0; p < points; ++p) {
          for (int64_t i = 0; i < r; ++i) base[static_cast<size_t>(r - 1 - i)] = Coord(idx[i], size[2 + i]);
          for (int64_t row = 0; row < r; ++row) {
            double acc = 0.0;
            for (int64_t k = 0; k <= r; ++k) acc += m[row * (r + 1) + k] * base[static_cast<size_t>(k)];
            out[(n * points + p) * r + row] = ImageFromDouble<T>(acc);
          }
          for (int64_t d = r; d-- > 0;) {
            if (++idx[d] < size[2 + d]) break;
            idx[d] = 0;
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  double Coord(int64_t i, int64_t len) const {
    const double l = static_cast<double>(len);
    if (align_corners_) return len <= 1 ? -1.0 : -1.0 + 2.0 * static_cast<double>(i) / (l - 1.0);
    return -1.0 + (2.0 * static_cast<double>(i) + 1.0) / l;
  }

  bool align_corners_;
  std::string desc_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> CreateGridSampleKernel(const KernelCreateContext& ctx) {
  GridSampleConfig cfg;
  cfg.desc = ctx.node.Describe();
  cfg.opset = ctx.opset;
  const std::string mode = ctx.node.GetString("mode", ctx.opset >= 20 ? "linear" : "bilinear");
  if (mode == "bilinear" || mode == "linear") cfg.mode = GridMode::kLinear;
  else if (mode == "nearest") cfg.mode = GridMode::kNearest;
  else if (mode == "bicubic" || mode == "cubic") cfg.mode = GridMode::kCubic;
  else return InvalidArgument(cfg.desc + ": unsupported mode '" + mode + "'");
  const std::string padding = ctx.node.GetString("padding_mode", "zeros");
  if (padding == "zeros") cfg.padding = GridPadding::kZeros;
  else if (padding == "border") cfg.padding = GridPadding::kBorder;
  else if (padding == "reflection") cfg.padding = GridPadding::kReflection;
  else return InvalidArgument(cfg.desc + ": unsupported padding_mode '" + padding + "'");
  const int64_t align = ctx.node.GetInt("align_corners", 0);
  if (align != 0 && align != 1) return InvalidArgument(cfg.desc + ": align_corners must be 0 or 1");
  cfg.align_corners = align == 1;
  return std::unique_ptr<Kernel>(std::make_unique<GridSampleKernel>(std::move(cfg)));
}

Result<std::unique_ptr<Kernel>> CreateAffineGridKernel(const KernelCreateContext& ctx) {
  const int64_t align = ctx.node.GetInt("align_corners", 0);
  if (align != 0 && align != 1) return InvalidArgument(ctx.node.Describe() + ": align_corners must be 0 or 1");
  return std::unique_ptr<Kernel>(std::make_unique<AffineGridKernel>(align == 1, ctx.node.Describe()));
}

}  // namespace edgerun
