// Resize interpolation plan: coordinate transformations, per-axis taps and their application.
#include "kernels/reference/image_resize_plan.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>

#include "kernels/reference/dispatch.h"
#include "kernels/reference/image_util.h"

namespace edgerun {

bool ParseResizeMode(const std::string& s, ResizeMode* out) {
  if (s == "nearest") *out = ResizeMode::kNearest;
  else if (s == "linear" || s == "bilinear" || s == "trilinear") *out = ResizeMode::kLinear;
  else if (s == "cubic" || s == "bicubic") *out = ResizeMode::kCubic;
  else return false;
  return true;
}

bool ParseResizeCoordMode(const std::string& s, ResizeCoordMode* out) {
  if (s == "half_pixel") *out = ResizeCoordMode::kHalfPixel;
  else if (s == "half_pixel_symmetric") *out = ResizeCoordMode::kHalfPixelSymmetric;
  else if (s == "pytorch_half_pixel") *out = ResizeCoordMode::kPytorchHalfPixel;
  else if (s == "align_corners") *out = ResizeCoordMode::kAlignCorners;
  else if (s == "asymmetric") *out = ResizeCoordMode::kAsymmetric;
  else if (s == "tf_half_pixel_for_nn") *out = ResizeCoordMode::kTfHalfPixelForNn;
  else if (s == "tf_crop_and_resize") *out = ResizeCoordMode::kTfCropAndResize;
  else return false;
  return true;
}

bool ParseResizeNearestMode(const std::string& s, ResizeNearestMode* out) {
  if (s == "round_prefer_floor") *out = ResizeNearestMode::kRoundPreferFloor;
  else if (s == "round_prefer_ceil") *out = ResizeNearestMode::kRoundPreferCeil;
  else if (s == "floor") *out = ResizeNearestMode::kFloor;
  else if (s == "ceil") *out = ResizeNearestMode::kCeil;
  else return false;
  return true;
}

namespace {

// Maps output coordinate x to a coordinate in the input; *outside is set when
// tf_crop_and_resize lands outside the input.
double OriginalCoordinate(const ResizeOptions& opt, const ResizeAxis& a, double x, bool* outside) {
  const double in = static_cast<double>(a.in);
  const double out_f = a.out_float;
  *outside = false;
  switch (opt.coord) {
    case ResizeCoordMode::kHalfPixel:
      return (x + 0.5) / a.scale - 0.5;
    case ResizeCoordMode::kHalfPixelSymmetric: {
      const double adjustment = static_cast<double>(a.out) / out_f;
      const double offset = in / 2.0 * (1.0 - adjustment);
      return offset + (x + 0.5) / a.scale - 0.5;
    }
    case ResizeCoordMode::kPytorchHalfPixel:
      return a.out > 1 ? (x + 0.5) / a.scale - 0.5 : 0.0;
    case ResizeCoordMode::kAlignCorners:
      return out_f == 1.0 ? 0.0 : x * (in - 1.0) / (out_f - 1.0);
    case ResizeCoordMode::kAsymmetric:
      return x / a.scale;
    case ResizeCoordMode::kTfHalfPixelForNn:
      return (x + 0.5) / a.scale;
    case ResizeCoordMode::kTfCropAndResize: {
      double v = out_f == 1.0 ? (a.roi_end - a.roi_start) * (in - 1.0) / 2.0
                              : x * (a.roi_end - a.roi_start) * (in - 1.0) / (out_f - 1.0);
      v += a.roi_start * (in - 1.0);
      *outside = !(v >= 0.0 && v <= in - 1.0);
      return v;
    }
  }
  return x;
}

int64_t NearestIndex(ResizeNearestMode mode, double x, double scale) {
  const double fl = std::floor(x);
  const int64_t base = static_cast<int64_t>(fl);
  if (x == fl) return base;
  const double ratio = x - fl;
  switch (mode) {
    case ResizeNearestMode::kRoundPreferFloor: return ratio <= 0.5 ? base : base + 1;
    case ResizeNearestMode::kRoundPreferCeil: return ratio < 0.5 ? base : base + 1;
    case ResizeNearestMode::kFloor: return base;
    case ResizeNearestMode::kCeil: return base + 1;
    case ResizeNearestMode::kSimple: return scale < 1.0 ? base + 1 : base;
  }
  return base;
}

double CubicKernel(double x, double a) {
  x = std::fabs(x);
  if (x <= 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
  if (x < 2.0) return ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a;
  return 0.0;
}

double LinearKernel(double x) { return std::clamp(1.0 - std::fabs(x), 0.0, 1.0); }

}  // namespace

ResizeAxisTaps ComputeResizeAxisTaps(const ResizeOptions& opt, const ResizeAxis& axis, int64_t stride) {
  ResizeAxisTaps t;
  const int64_t last = axis.in - 1;
  t.begin.reserve(static_cast<size_t>(axis.out) + 1);
  t.outside.assign(static_cast<size_t>(axis.out), 0);

  // Kernel footprint: taps at base + start + i for i in [0, n).
  const double radius = opt.mode == ResizeMode::kCubic ? 2.0 : 1.0;
  const double s_eff = (opt.antialias && opt.mode != ResizeMode::kNearest) ? std::min(axis.scale, 1.0) : 1.0;
  const int64_t start = static_cast<int64_t>(std::floor(-radius / s_eff)) + 1;
  const int64_t n = 2 - 2 * start;
  std::vector<double> w(static_cast<size_t>(std::max<int64_t>(n, 1)));
  // Coordinates further out than this only ever read edge values.
  const double lo = -static_cast<double>(n) - 4.0;
  const double hi = static_cast<double>(axis.in) + static_cast<double>(n) + 4.0;

  for (int64_t o = 0; o < axis.out; ++o) {
    t.begin.push_back(static_cast<int64_t>(t.offset.size()));
    bool outside = false;
    double x = OriginalCoordinate(opt, axis, static_cast<double>(o), &outside);
    if (outside) {
      t.outside[static_cast<size_t>(o)] = 1;
      continue;
    }
    if (std::isnan(x)) x = 0.0;
    x = std::clamp(x, lo, hi);

    if (opt.mode == ResizeMode::kNearest) {
      const int64_t idx = std::clamp<int64_t>(NearestIndex(opt.nearest, x, axis.scale), 0, last);
      t.offset.push_back(idx * stride);
      t.weight.push_back(1.0);
      continue;
    }

    // The left neighbour is preferred: ratio lies in (0, 1].
    double base_f = std::floor(x);
    double ratio = x - base_f;
    if (ratio == 0.0) {
      base_f -= 1.0;
      ratio = 1.0;
    }
    const int64_t base = static_cast<int64_t>(base_f);
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const double arg = (static_cast<double>(start + i) - ratio) * s_eff;
      w[i] = opt.mode == ResizeMode::kCubic ? CubicKernel(arg, opt.cubic_a) : LinearKernel(arg);
      sum += w[i];
    }
    if (opt.antialias && sum != 0.0) {
      for (int64_t i = 0; i < n; ++i) w[i] /= sum;
    }
    if (opt.exclude_outside) {
      double kept = 0.0;
      for (int64_t i = 0; i < n; ++i) {
        const int64_t idx = base + start + i;
        if (idx >= 0 && idx <= last) kept += w[i];
      }
      if (kept != 0.0) {
        for (int64_t i = 0; i < n; ++i) {
          const int64_t idx = base + start + i;
          w[i] = (idx >= 0 && idx <= last) ? w[i] / kept : 0.0;
        }
      }
    }
    for (int64_t i = 0; i < n; ++i) {
      if (w[i] == 0.0) continue;
      const int64_t idx = std::clamp<int64_t>(base + start + i, 0, last);
      t.offset.push_back(idx * stride);
      t.weight.push_back(w[i]);
    }
  }
  t.begin.push_back(static_cast<int64_t>(t.offset.size()));
  return t;
}

namespace {

template <typename T>
double SumTaps(const T* x, const std::vector<ResizeAxisTaps>& taps, const Dims& idx, size_t d,
               int64_t base) {
  const ResizeAxisTaps& t = taps[d];
  const int64_t b = t.begin[static_cast<size_t>(idx[d])];
  const int64_t e = t.begin[static_cast<size_t>(idx[d]) + 1];
  double acc = 0.0;
  if (d + 1 == taps.size()) {
    for (int64_t k = b; k < e; ++k) acc += t.weight[k] * ImageToDouble(x[base + t.offset[k]]);
  } else {
    for (int64_t k = b; k < e; ++k) acc += t.weight[k] * SumTaps(x, taps, idx, d + 1, base + t.offset[k]);
  }
  return acc;
}

template <typename T>
T Extrapolation(double v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return std::string();
  } else {
    return ImageFromDouble<T>(v);
  }
}

// Walks the output in row-major order; `fn(i, idx)` computes element i at multi-index idx.
template <typename Fn>
void ForEachOutput(const Shape& shape, Fn&& fn) {
  const int64_t total = ShapeSize(shape);
  Dims idx(shape.size(), 0);
  for (int64_t i = 0; i < total; ++i) {
    fn(i, idx);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

}  // namespace

bool ApplyResize2dF32(const ResizeOptions& opt, const std::vector<ResizeAxisTaps>& taps, const Tensor& x, Tensor* y) {
  const size_t rank = taps.size();
  if (x.dtype() != DataType::kFloat || opt.mode == ResizeMode::kNearest || rank < 2 ||
      rank != static_cast<size_t>(x.rank()) || y->numel() == 0) {
    return false;
  }
  const Shape& in_shape = x.shape();
  const Shape& out_shape = y->shape();
  for (size_t d = 0; d + 2 < rank; ++d) {  // leading axes: identity
    const ResizeAxisTaps& t = taps[d];
    if (out_shape[d] != in_shape[d]) return false;
    int64_t stride = 1;
    for (size_t e = d + 1; e < rank; ++e) stride *= in_shape[e];
    for (int64_t o = 0; o < out_shape[d]; ++o) {
      const auto k = static_cast<size_t>(t.begin[static_cast<size_t>(o)]);
      if (t.begin[static_cast<size_t>(o) + 1] != t.begin[static_cast<size_t>(o)] + 1 || t.weight[k] != 1.0 ||
          t.offset[k] != o * stride || t.outside[static_cast<size_t>(o)]) {
        return false;
      }
    }
  }
  const ResizeAxisTaps& th = taps[rank - 2];
  const ResizeAxisTaps& tw = taps[rank - 1];
  for (uint8_t o : th.outside) {
    if (o) return false;
  }
  for (uint8_t o : tw.outside) {
    if (o) return false;
  }
  const int64_t ih = in_shape[rank - 2], iw = in_shape[rank - 1], oh = out_shape[rank - 2], ow = out_shape[rank - 1];
  const int64_t planes = ShapeSize(out_shape) / (oh * ow);
  // Column taps as float weights (per-thread scratch that only grows).
  thread_local std::vector<float> wx;
  wx.resize(std::max(wx.size(), tw.weight.size()));
  for (size_t k = 0; k < tw.weight.size(); ++k) wx[k] = static_cast<float>(tw.weight[k]);
  const float* in = x.data<float>();
  float* out = y->data<float>();
  for (int64_t p = 0; p < planes; ++p) {
    const float* plane = in + p * ih * iw;
    for (int64_t oy = 0; oy < oh; ++oy) {
      float* row = out + (p * oh + oy) * ow;
      std::fill(row, row + ow, 0.0f);
      for (int64_t ky = th.begin[static_cast<size_t>(oy)]; ky < th.begin[static_cast<size_t>(oy) + 1]; ++ky) {
        const float wy = static_cast<float>(th.weight[static_cast<size_t>(ky)]);
        const float* src = plane + th.offset[static_cast<size_t>(ky)];  // the input row (offset = index * iw)
        for (int64_t ox = 0; ox < ow; ++ox) {
          float acc = 0.0f;
          for (int64_t kx = tw.begin[static_cast<size_t>(ox)]; kx < tw.begin[static_cast<size_t>(ox) + 1]; ++kx) {
            acc += wx[static_cast<size_t>(kx)] * src[tw.offset[static_cast<size_t>(kx)]];
          }
          row[ox] += wy * acc;
        }
      }
    }
  }
  return true;
}

Status ApplyResize(const ResizeOptions& opt, const std::vector<ResizeAxisTaps>& taps, const Tensor& x, Tensor* y) {
  if (ApplyResize2dF32(opt, taps, x, y)) return Status::Ok();
  return ApplyResizeGeneric(opt, taps, x, y);
}

Status ApplyResizeGeneric(const ResizeOptions& opt, const std::vector<ResizeAxisTaps>& taps, const Tensor& x,
                          Tensor* y) {
  if (y->numel() == 0) return Status::Ok();
  if (x.rank() == 0) {
    return DispatchBySize(x.dtype(), "Resize", [&]<typename T>() -> Status {
      y->data<T>()[0] = x.data<T>()[0];
      return Status::Ok();
    });
  }
  const Shape out_shape = y->shape();
  if (opt.mode == ResizeMode::kNearest) {
    return DispatchAll(x.dtype(), "Resize", [&]<typename T>() -> Status {
      const T* in = x.data<T>();
      T* out = y->data<T>();
      const T extrap = Extrapolation<T>(opt.extrapolation_value);
      ForEachOutput(out_shape, [&](int64_t i, const Dims& idx) {
        int64_t off = 0;
        for (size_t d = 0; d < taps.size(); ++d) {
          const size_t o = static_cast<size_t>(idx[d]);
          if (taps[d].outside[o]) {
            out[i] = extrap;
            return;
          }
          off += taps[d].offset[static_cast<size_t>(taps[d].begin[o])];
        }
        out[i] = in[off];
      });
      return Status::Ok();
    });
  }
  return DispatchNumeric(x.dtype(), "Resize (linear/cubic)", [&]<typename T>() -> Status {
    const T* in = x.data<T>();
    T* out = y->data<T>();
    const T extrap = ImageFromDouble<T>(opt.extrapolation_value);
    ForEachOutput(out_shape, [&](int64_t i, const Dims& idx) {
      for (size_t d = 0; d < taps.size(); ++d) {
        if (taps[d].outside[static_cast<size_t>(idx[d])]) {
          out[i] = extrap;
          return;
        }
      }
      out[i] = ImageFromDouble<T>(SumTaps(in, taps, idx, 0, 0));
    });
    return Status::Ok();
  });
}

}  // namespace edgerun
