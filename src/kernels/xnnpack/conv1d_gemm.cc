// 1-D fp32 NWC convolution as a GEMM over the input in place, AVX2+FMA (see conv1d_gemm.h).
#include "kernels/xnnpack/conv1d_gemm.h"

#include "kernels/xnnpack/gemm_tile_avx2.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

namespace edgerun::xnn::conv1d {
namespace {

using gemm_tile::kMr;
using gemm_tile::kNr;
using gemm_tile::Tile;
constexpr size_t kAlign = 64;

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

bool Available() { return gemm_tile::Available(); }

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

EDGERUN_GEMM_TILE_AVX2 void Conv1d::RunRows(const float* src, int64_t cs, float* yi, int64_t ys, const float* zi, int64_t zs,
                                 float lo, float hi, int64_t l_begin, int64_t l_end) const {
  gemm_tile::Window g;
  g.taps_w = kernel_, g.c = c_, g.tap_step_w = dilation_ * cs, g.lo = lo, g.hi = hi;
  if (g.tap_step_w == c_) g.c = kernel_ * c_, g.taps_w = 1;  // the taps' channel runs are contiguous: one K loop
  const int64_t row_step = stride_ * cs;
  for (int64_t panel = 0; panel < panels_; ++panel) {
    const float* b = b_.get() + panel * kernel_ * c_ * kNr;
    const float* bias = bias_.get() + panel * kNr;
    const int64_t o0 = panel * kNr, width = std::min<int64_t>(kNr, m_ - o0);
    for (int64_t l = l_begin; l < l_end; l += kMr) {
      const int mr = static_cast<int>(std::min<int64_t>(kMr, l_end - l));
      const float* a[kMr];
      for (int r = 0; r < kMr; ++r) a[r] = src + (l + std::min(r, mr - 1)) * row_step;
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
