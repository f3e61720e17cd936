// 1-D fp32 NWC convolution as a GEMM over the input in place, AVX2+FMA (see conv1d_gemm.h).
#include "kernels/xnnpack/conv1d_gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

#define CONV1D_AVX2 __attribute__((target("avx2,fma")))

namespace edgerun::xnn::conv1d {
namespace {

constexpr int kMr = 6;   // output positions per microkernel call
constexpr int kNr = 16;  // output channels per panel
constexpr size_t kAlign = 64;

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

CONV1D_AVX2 __m256i LaneMask(int64_t valid) {  // lanes [0, valid) set, valid in [0, 8]
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(valid)), idx);
}

template <bool kMasked>
CONV1D_AVX2 __m256 Load(const float* p, __m256i mask) {
  if constexpr (kMasked) return _mm256_maskload_ps(p, mask);
  return _mm256_loadu_ps(p);
}

template <bool kMasked>
CONV1D_AVX2 void Store(float* p, __m256i mask, __m256 v) {
  if constexpr (kMasked) {
    _mm256_maskstore_ps(p, mask, v);
  } else {
    _mm256_storeu_ps(p, v);
  }
}

struct Geometry {
  int64_t taps, c, row_step, tap_step;  // row_step: floats between consecutive outputs' windows
  const float* bias;
  float lo, hi;
};

// Outputs [l, l + mr) x one panel: a = the window of output l, b = the packed panel, y/z = output l
// (and its residual), width = valid channels of the panel (16 unless it is the last).
// With kPool2, y is pooled output l / 2 and rows (0,1), (2,3), (4,5) are max-pooled into the first
// `pooled` of its 3 rows.
template <bool kMasked, bool kPool2>
CONV1D_AVX2 void Tile(const Geometry& g, int mr, const float* a, const float* b, const float* bias, const float* z,
                      int64_t zs, float* y, int64_t ys, int64_t width, int pooled) {
  const float* ap[kMr];
  float* yp[kMr];
  const float* zp[kMr];
  ap[0] = a, yp[0] = y, zp[0] = z;
  for (int r = 1; r < kMr; ++r) {  // rows past mr alias row mr - 1 (stored last, identical values)
    const bool live = r < mr;
    ap[r] = live ? ap[r - 1] + g.row_step : ap[r - 1];
    yp[r] = (live && (!kPool2 || r < pooled)) ? yp[r - 1] + ys : yp[r - 1];
    zp[r] = (live && z != nullptr) ? zp[r - 1] + zs : zp[r - 1];
  }
  __m256 acc[kMr][2];
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  for (int64_t t = 0; t < g.taps; ++t) {
    const int64_t off = t * g.tap_step;
    for (int64_t ci = 0; ci < g.c; ++ci) {
      const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
      b += kNr;
#pragma GCC unroll 6
      for (int r = 0; r < kMr; ++r) {
        const __m256 av = _mm256_broadcast_ss(ap[r] + off + ci);
        acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
        acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
      }
    }
  }
  const __m256 bias0 = _mm256_load_ps(bias), bias1 = _mm256_load_ps(bias + 8);
  const __m256 lo = _mm256_set1_ps(g.lo), hi = _mm256_set1_ps(g.hi);
  const __m256i mask0 = kMasked ? LaneMask(std::min<int64_t>(width, 8)) : __m256i{};
  const __m256i mask1 = kMasked ? LaneMask(std::max<int64_t>(width - 8, 0)) : __m256i{};
#pragma GCC unroll 6
  for (int r = kMr - 1; r >= 0; --r) {  // bias, z and clamp (before the pool, as unfused)
    __m256 v0 = _mm256_add_ps(acc[r][0], bias0), v1 = _mm256_add_ps(acc[r][1], bias1);
    if (z != nullptr) {
      v0 = _mm256_add_ps(v0, Load<kMasked>(zp[r], mask0));
      v1 = _mm256_add_ps(v1, Load<kMasked>(zp[r] + 8, mask1));
    }
    acc[r][0] = _mm256_min_ps(_mm256_max_ps(v0, lo), hi);
    acc[r][1] = _mm256_min_ps(_mm256_max_ps(v1, lo), hi);
    if constexpr (!kPool2) {
      Store<kMasked>(yp[r], mask0, acc[r][0]);
      Store<kMasked>(yp[r] + 8, mask1, acc[r][1]);
    }
  }
  if constexpr (kPool2) {
#pragma GCC unroll 3
    for (int j = kMr / 2 - 1; j >= 0; --j) {  // in reverse: rows past `pooled` alias row pooled - 1
      Store<kMasked>(yp[j], mask0, _mm256_max_ps(acc[2 * j][0], acc[2 * j + 1][0]));
      Store<kMasked>(yp[j] + 8, mask1, _mm256_max_ps(acc[2 * j][1], acc[2 * j + 1][1]));
    }
  }
}

}  // namespace

bool Available() {
  static const bool available = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return available;
}

void Conv1d::FloatFree::operator()(float* p) const { ::operator delete[](p, std::align_val_t(kAlign)); }

Conv1d::~Conv1d() = default;

Result<std::unique_ptr<Conv1d>> Conv1d::Create(const Conv1dParams& p) {
  auto check = [](const char* name, int64_t v, int64_t min) -> Status {
    if (v >= min) return Status::Ok();
    return InvalidArgument(std::string("conv1d: ") + name + " must be >= " + std::to_string(min) + ", got " +
                           std::to_string(v));
  };
  EDGERUN_RETURN_IF_ERROR(check("n", p.n, 1));
  EDGERUN_RETURN_IF_ERROR(check("w", p.w, 1));
  EDGERUN_RETURN_IF_ERROR(check("c", p.c, 1));
  EDGERUN_RETURN_IF_ERROR(check("m", p.m, 1));
  EDGERUN_RETURN_IF_ERROR(check("kernel", p.kernel, 1));
  EDGERUN_RETURN_IF_ERROR(check("stride", p.stride, 1));
  EDGERUN_RETURN_IF_ERROR(check("dilation", p.dilation, 1));
  EDGERUN_RETURN_IF_ERROR(check("pad_left", p.pad_left, 0));
  EDGERUN_RETURN_IF_ERROR(check("pad_right", p.pad_right, 0));
  if (p.pool != 1 && p.pool != 2) return InvalidArgument("conv1d: pool must be 1 or 2, got " + std::to_string(p.pool));
  if (p.weights == nullptr) return InvalidArgument("conv1d: weights must not be null");
  constexpr int64_t kMaxDim = int64_t{1} << 24;
  for (int64_t v : {p.n, p.w, p.c, p.m, p.kernel, p.stride, p.dilation, p.pad_left, p.pad_right}) {
    if (v > kMaxDim) return InvalidArgument("conv1d: sizes, strides and pads must be <= 2^24");
  }
  if (p.c * p.kernel > kMaxDim) return InvalidArgument("conv1d: c * kernel must be <= 2^24");
  const int64_t span = p.dilation * (p.kernel - 1) + 1;
  const int64_t padded = p.w + p.pad_left + p.pad_right;
  if (padded < span) {
    return InvalidArgument("conv1d: output would be empty: w + pads (" + std::to_string(padded) +
                           ") is shorter than the dilated kernel (" + std::to_string(span) + ")");
  }
  std::unique_ptr<Conv1d> conv(new Conv1d());
  Conv1d& k = *conv;
  k.n_ = p.n, k.w_ = p.w, k.c_ = p.c, k.m_ = p.m, k.kernel_ = p.kernel, k.stride_ = p.stride;
  k.dilation_ = p.dilation, k.pad_left_ = p.pad_left, k.pad_right_ = p.pad_right;
  k.ow_ = (padded - span) / p.stride + 1;
  k.pool_ = p.pool;
  k.pooled_w_ = p.pool_ceil ? CeilDiv(k.ow_, 2) : k.ow_ / 2;
  if (p.pool == 2 && k.pooled_w_ < 1) return InvalidArgument("conv1d: a single output cannot be pooled by 2");
  k.panels_ = CeilDiv(p.m, kNr);
  k.copy_input_ = p.pad_left > 0 || p.pad_right > 0;
  const size_t b_floats = static_cast<size_t>(k.panels_ * p.kernel * p.c * kNr);
  const size_t bias_floats = static_cast<size_t>(k.panels_ * kNr);
  k.b_.reset(static_cast<float*>(::operator new[](b_floats * sizeof(float), std::align_val_t(kAlign), std::nothrow)));
  k.bias_.reset(
      static_cast<float*>(::operator new[](bias_floats * sizeof(float), std::align_val_t(kAlign), std::nothrow)));
  if (!k.b_ || !k.bias_) return OutOfMemory("conv1d: packed weights (" + std::to_string(b_floats * 4) + " bytes)");
  float* dst = k.b_.get();
  for (int64_t panel = 0; panel < k.panels_; ++panel) {
    for (int64_t t = 0; t < p.kernel; ++t) {
      for (int64_t ci = 0; ci < p.c; ++ci) {
        for (int64_t l = 0; l < kNr; ++l) {
          const int64_t o = panel * kNr + l;
          *dst++ = o < p.m ? p.weights[(o * p.c + ci) * p.kernel + t] : 0.0f;
        }
      }
    }
  }
  for (size_t o = 0; o < bias_floats; ++o) {
    k.bias_[o] = (p.bias != nullptr && static_cast<int64_t>(o) < p.m) ? p.bias[o] : 0.0f;
  }
  return conv;
}

size_t Conv1d::ScratchBytes() const {
  return copy_input_ ? static_cast<size_t>((w_ + pad_left_ + pad_right_) * c_) * sizeof(float) : 0;
}

size_t Conv1d::PackedWeightBytes() const {
  return static_cast<size_t>(panels_ * kNr * (kernel_ * c_ + 1)) * sizeof(float);
}

void Conv1d::Run(const float* x, size_t x_stride, float* y, size_t y_stride, const float* z, size_t z_stride, float lo,
                 float hi, void* scratch) const {
  Run(x, x_stride, y, y_stride, z, z_stride, lo, hi, scratch, nullptr, nullptr, 1);
}

void Conv1d::Run(const float* x, size_t x_stride, float* y, size_t y_stride, const float* z, size_t z_stride, float lo,
                 float hi, void* scratch, ParallelFn parallel, void* parallel_ctx, size_t threads) const {
  const int64_t xs = static_cast<int64_t>(x_stride), ys = static_cast<int64_t>(y_stride);
  const int64_t zs = static_cast<int64_t>(z_stride);
  // Whole tiles per thread, so that pooled pairs never straddle two threads.
  const int64_t tile_rows = CeilDiv(ow_, kMr);
  const auto parts = static_cast<int64_t>(std::min<size_t>(std::max<size_t>(threads, 1), static_cast<size_t>(tile_rows)));
  for (int64_t img = 0; img < n_; ++img) {
    const float* src = x + img * w_ * xs;
    int64_t cs = xs;  // floats between input positions in src
    if (copy_input_) {
      auto* pad = static_cast<float*>(scratch);
      std::memset(pad, 0, static_cast<size_t>(pad_left_ * c_) * sizeof(float));
      for (int64_t i = 0; i < w_; ++i) {
        std::memcpy(pad + (pad_left_ + i) * c_, src + i * xs, static_cast<size_t>(c_) * sizeof(float));
      }
      std::memset(pad + (pad_left_ + w_) * c_, 0, static_cast<size_t>(pad_right_ * c_) * sizeof(float));
      src = pad;
      cs = c_;
    }
    float* yi = y + img * out_w() * ys;
    const float* zi = z != nullptr ? z + img * ow_ * zs : nullptr;
    if (parts <= 1 || parallel == nullptr) {
      RunRows(src, cs, yi, ys, zi, zs, lo, hi, 0, ow_);
      continue;
    }
    auto body = [&](size_t i) {
      const int64_t part = static_cast<int64_t>(i);
      if (part >= parts) return;
      const int64_t begin = tile_rows * part / parts * kMr, end = std::min(ow_, tile_rows * (part + 1) / parts * kMr);
      RunRows(src, cs, yi, ys, zi, zs, lo, hi, begin, end);
    };
    using Body = decltype(body);
    parallel(parallel_ctx, threads, [](void* f, size_t i) { (*static_cast<Body*>(f))(i); }, &body);
  }
}

CONV1D_AVX2 void Conv1d::RunRows(const float* src, int64_t cs, float* yi, int64_t ys, const float* zi, int64_t zs,
                                 float lo, float hi, int64_t l_begin, int64_t l_end) const {
  Geometry g{kernel_, c_, stride_ * cs, dilation_ * cs, bias_.get(), lo, hi};
  if (g.tap_step == c_) g.c = kernel_ * c_, g.taps = 1;  // the taps' channel runs are contiguous: one K loop
  for (int64_t panel = 0; panel < panels_; ++panel) {
    const float* b = b_.get() + panel * kernel_ * c_ * kNr;
    const float* bias = bias_.get() + panel * kNr;
    const int64_t o0 = panel * kNr, width = std::min<int64_t>(kNr, m_ - o0);
    for (int64_t l = l_begin; l < l_end; l += kMr) {
      const int mr = static_cast<int>(std::min<int64_t>(kMr, l_end - l));
      const float* a = src + l * g.row_step;
      const float* zl = zi != nullptr ? zi + l * zs + o0 : nullptr;
      if (pool_ == 2) {
        const int pooled = static_cast<int>(std::min<int64_t>(kMr / 2, pooled_w_ - l / 2));
        if (pooled <= 0) break;  // floor mode: the last output has no pair
        if (width == kNr) {
          Tile<false, true>(g, mr, a, b, bias, zl, zs, yi + l / 2 * ys + o0, ys, width, pooled);
        } else {
          Tile<true, true>(g, mr, a, b, bias, zl, zs, yi + l / 2 * ys + o0, ys, width, pooled);
        }
      } else if (width == kNr) {
        Tile<false, false>(g, mr, a, b, bias, zl, zs, yi + l * ys + o0, ys, width, 0);
      } else {
        Tile<true, false>(g, mr, a, b, bias, zl, zs, yi + l * ys + o0, ys, width, 0);
      }
    }
  }
}

}  // namespace edgerun::xnn::conv1d
