// 2-D fp32 NHWC convolution as a GEMM over the input in place, AVX2+FMA (see conv2d_gemm.h).
#include "kernels/xnnpack/conv2d_gemm.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

#include "kernels/xnnpack/gemm_tile_avx2.h"

namespace edgerun::xnn::conv2d {
namespace {

using gemm_tile::kMr;
using gemm_tile::kNr;
using gemm_tile::Tile;
constexpr size_t kAlign = 64;
// Tiles (of 6 pixels) multiplied by one panel before moving to the next panel: the block's input
// windows and the panel ([taps][c][16], up to 295 KB for 3x3x512) stay in L2 across the block.
constexpr int64_t kTileBlock = 16;

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

bool Available() { return gemm_tile::Available(); }

void Conv2d::FloatFree::operator()(float* p) const { ::operator delete[](p, std::align_val_t(kAlign)); }

Conv2d::~Conv2d() = default;

Result<std::unique_ptr<Conv2d>> Conv2d::Create(const Conv2dParams& p) {
  struct Field {
    const char* name;
    int64_t value, min;
  };
  const Field fields[] = {{"n", p.n, 1},
                          {"h", p.h, 1},
                          {"w", p.w, 1},
                          {"c", p.c, 1},
                          {"m", p.m, 1},
                          {"kernel_h", p.kernel_h, 1},
                          {"kernel_w", p.kernel_w, 1},
                          {"stride_h", p.stride_h, 1},
                          {"stride_w", p.stride_w, 1},
                          {"dilation_h", p.dilation_h, 1},
                          {"dilation_w", p.dilation_w, 1},
                          {"pad_top", p.pad_top, 0},
                          {"pad_left", p.pad_left, 0},
                          {"pad_bottom", p.pad_bottom, 0},
                          {"pad_right", p.pad_right, 0}};
  constexpr int64_t kMaxDim = int64_t{1} << 24;
  for (const Field& f : fields) {
    if (f.value < f.min || f.value > kMaxDim) {
      return InvalidArgument(std::string("conv2d: ") + f.name + " must be in [" + std::to_string(f.min) +
                             ", 2^24], got " + std::to_string(f.value));
    }
  }
  if (p.weights == nullptr) return InvalidArgument("conv2d: weights must not be null");
  if (p.c * p.kernel_h * p.kernel_w > kMaxDim) return InvalidArgument("conv2d: c * kernel_h * kernel_w must be <= 2^24");
  const int64_t span_h = p.dilation_h * (p.kernel_h - 1) + 1, span_w = p.dilation_w * (p.kernel_w - 1) + 1;
  const int64_t hp = p.h + p.pad_top + p.pad_bottom, wp = p.w + p.pad_left + p.pad_right;
  if (hp < span_h || wp < span_w) {
    return InvalidArgument("conv2d: output would be empty: the padded input (" + std::to_string(hp) + "x" +
                           std::to_string(wp) + ") is smaller than the dilated kernel (" + std::to_string(span_h) +
                           "x" + std::to_string(span_w) + ")");
  }
  if (hp * wp > kMaxDim) return InvalidArgument("conv2d: the padded image must have <= 2^24 pixels");
  std::unique_ptr<Conv2d> conv(new Conv2d());
  Conv2d& k = *conv;
  k.n_ = p.n, k.h_ = p.h, k.w_ = p.w, k.c_ = p.c, k.m_ = p.m, k.kh_ = p.kernel_h, k.kw_ = p.kernel_w;
  k.sh_ = p.stride_h, k.sw_ = p.stride_w, k.dh_ = p.dilation_h, k.dw_ = p.dilation_w;
  k.pt_ = p.pad_top, k.pl_ = p.pad_left, k.pb_ = p.pad_bottom, k.pr_ = p.pad_right;
  k.oh_ = (hp - span_h) / p.stride_h + 1;
  k.ow_ = (wp - span_w) / p.stride_w + 1;
  k.panels_ = CeilDiv(p.m, kNr);
  k.copy_input_ = p.pad_top > 0 || p.pad_left > 0 || p.pad_bottom > 0 || p.pad_right > 0;
  const int64_t taps = p.kernel_h * p.kernel_w;
  const size_t b_floats = static_cast<size_t>(k.panels_ * taps * p.c * kNr);
  const size_t bias_floats = static_cast<size_t>(k.panels_ * kNr);
  k.b_.reset(static_cast<float*>(::operator new[](b_floats * sizeof(float), std::align_val_t(kAlign), std::nothrow)));
  k.bias_.reset(
      static_cast<float*>(::operator new[](bias_floats * sizeof(float), std::align_val_t(kAlign), std::nothrow)));
  if (!k.b_ || !k.bias_) return OutOfMemory("conv2d: packed weights (" + std::to_string(b_floats * 4) + " bytes)");
  // Per (panel, input channel): 16 output channels' runs of taps weights (16 sequential read
  // streams over the whole pass) into taps whole 64-byte lines. The lanes past m are zero.
  float* dst = k.b_.get();
  for (int64_t panel = 0; panel < k.panels_; ++panel) {
    const int64_t o0 = panel * kNr, lanes = std::min<int64_t>(kNr, p.m - o0);
    float* pb = dst + panel * taps * p.c * kNr;
    for (int64_t ci = 0; ci < p.c; ++ci) {
      for (int64_t t = 0; t < taps; ++t) {
        float* line = pb + (t * p.c + ci) * kNr;
        for (int64_t l = 0; l < lanes; ++l) line[l] = p.weights[((o0 + l) * p.c + ci) * taps + t];
        for (int64_t l = lanes; l < kNr; ++l) line[l] = 0.0f;
      }
    }
  }
  for (size_t o = 0; o < bias_floats; ++o) {
    k.bias_[o] = (p.bias != nullptr && static_cast<int64_t>(o) < p.m) ? p.bias[o] : 0.0f;
  }
  return conv;
}

size_t Conv2d::ScratchBytes() const {
  if (!copy_input_) return 0;
  return static_cast<size_t>((h_ + pt_ + pb_) * (w_ + pl_ + pr_) * c_) * sizeof(float);
}

size_t Conv2d::PackedWeightBytes() const {
  return static_cast<size_t>(panels_ * kNr * (kh_ * kw_ * c_ + 1)) * sizeof(float);
}

void Conv2d::Run(const float* x, size_t x_stride, float* y, size_t y_stride, const float* z, size_t z_stride, float lo,
                 float hi, void* scratch, ParallelFn parallel, void* parallel_ctx, size_t threads) const {
  const int64_t xs = static_cast<int64_t>(x_stride), ys = static_cast<int64_t>(y_stride);
  const int64_t zs = static_cast<int64_t>(z_stride);
  const int64_t pixels = oh_ * ow_, tiles = CeilDiv(pixels, kMr);
  const int64_t team = parallel == nullptr ? 1 : static_cast<int64_t>(std::max<size_t>(threads, 1));
  // Split by pixels where every thread gets a few tile blocks, else by panels (few pixels, many
  // channels: each thread then reads only its share of the weights).
  const bool by_tiles = tiles >= 2 * kTileBlock * team || panels_ < team;
  const int64_t wp = w_ + pl_ + pr_, hp = h_ + pt_ + pb_;
  for (int64_t img = 0; img < n_; ++img) {
    const float* src = x + img * h_ * w_ * xs;
    int64_t cs = xs, src_w = w_;  // floats between pixels, pixels per row in src
    if (copy_input_) {
      auto* pad = static_cast<float*>(scratch);
      const size_t row = static_cast<size_t>(wp * c_);
      std::memset(pad, 0, static_cast<size_t>(pt_) * row * sizeof(float));
      for (int64_t i = 0; i < h_; ++i) {
        float* d = pad + (pt_ + i) * wp * c_;
        std::memset(d, 0, static_cast<size_t>(pl_ * c_) * sizeof(float));
        const float* s = src + i * w_ * xs;
        if (xs == c_) {
          std::memcpy(d + pl_ * c_, s, static_cast<size_t>(w_ * c_) * sizeof(float));
        } else {
          for (int64_t j = 0; j < w_; ++j) {
            std::memcpy(d + (pl_ + j) * c_, s + j * xs, static_cast<size_t>(c_) * sizeof(float));
          }
        }
        std::memset(d + (pl_ + w_) * c_, 0, static_cast<size_t>(pr_ * c_) * sizeof(float));
      }
      std::memset(pad + (pt_ + h_) * wp * c_, 0, static_cast<size_t>(hp - pt_ - h_) * row * sizeof(float));
      src = pad, cs = c_, src_w = wp;
    }
    float* yi = y + img * pixels * ys;
    const float* zi = z != nullptr ? z + img * pixels * zs : nullptr;
    if (team <= 1) {
      RunPart(src, cs, src_w, yi, ys, zi, zs, lo, hi, Part{0, tiles, 0, panels_});
      continue;
    }
    auto body = [&](size_t i) {
      const auto t = static_cast<int64_t>(i);
      const Part part = by_tiles ? Part{tiles * t / team, tiles * (t + 1) / team, 0, panels_}
                                 : Part{0, tiles, panels_ * t / team, panels_ * (t + 1) / team};
      RunPart(src, cs, src_w, yi, ys, zi, zs, lo, hi, part);
    };
    using Body = decltype(body);
    parallel(parallel_ctx, static_cast<size_t>(team), [](void* f, size_t i) { (*static_cast<Body*>(f))(i); },
             &body);
  }
}

EDGERUN_GEMM_TILE_AVX2 void Conv2d::RunPart(const float* src, int64_t cs, int64_t wp, float* yi, int64_t ys,
                                            const float* zi, int64_t zs, float lo, float hi, const Part& part) const {
  gemm_tile::Window g;
  g.taps_h = kh_, g.taps_w = kw_, g.c = c_, g.tap_step_h = dh_ * wp * cs, g.tap_step_w = dw_ * cs;
  g.lo = lo, g.hi = hi;
  if (g.tap_step_w == c_) g.c = kw_ * c_, g.taps_w = 1;  // a kernel row's taps are contiguous: one K loop
  const int64_t pixels = oh_ * ow_, k = kh_ * kw_ * c_;
  const float* rows[kTileBlock][kMr];  // each pixel's window start, for one block of tiles
  for (int64_t tb = part.tile_begin; tb < part.tile_end; tb += kTileBlock) {
    const int64_t te = std::min(tb + kTileBlock, part.tile_end);
    for (int64_t t = tb; t < te; ++t) {
      const int64_t p0 = t * kMr, last = std::min(p0 + kMr, pixels) - 1;
      for (int r = 0; r < kMr; ++r) {  // rows past the last pixel repeat it
        const int64_t p = std::min(p0 + r, last), oy = p / ow_, ox = p % ow_;
        rows[t - tb][r] = src + (oy * sh_ * wp + ox * sw_) * cs;
      }
    }
    for (int64_t panel = part.panel_begin; panel < part.panel_end; ++panel) {
      const float* b = b_.get() + panel * k * kNr;
      const float* bias = bias_.get() + panel * kNr;
      const int64_t o0 = panel * kNr, width = std::min<int64_t>(kNr, m_ - o0);
      for (int64_t t = tb; t < te; ++t) {
        const int64_t p0 = t * kMr;
        const int mr = static_cast<int>(std::min<int64_t>(kMr, pixels - p0));
        const float* zl = zi != nullptr ? zi + p0 * zs + o0 : nullptr;
        if (width == kNr) {
          Tile<false, false>(g, mr, rows[t - tb], b, bias, zl, zs, yi + p0 * ys + o0, ys, width, 0);
        } else {
          Tile<true, false>(g, mr, rows[t - tb], b, bias, zl, zs, yi + p0 * ys + o0, ys, width, 0);
        }
      }
    }
  }
}

}  // namespace edgerun::xnn::conv2d
