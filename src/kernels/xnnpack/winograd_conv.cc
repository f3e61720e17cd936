// Winograd F(4x4, 3x3) fp32 NHWC convolution, AVX2+FMA (see winograd_conv.h).
//
// Layouts (floats): U (weights) [36][m panels][c][16 or 8]; per block of T tiles the transformed
// input V [36][T][cp] and the GEMM result M [36][T][mp]; position p = 6 * row + column of the 6x6
// transformed tile. Tile t = (image, tile row, tile column), row-major.
#include "kernels/xnnpack/winograd_conv.h"

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <new>
#include <string>

#define WINO_AVX2 __attribute__((target("avx2,fma")))
#define WINO_INLINE __attribute__((target("avx2,fma"), always_inline)) inline

namespace edgerun::xnn::winograd {
namespace {

constexpr int64_t kPos = 36;          // transform positions (6x6)
constexpr int64_t kMr = 6;            // tiles per microkernel call
constexpr size_t kAlign = 64;
constexpr size_t kBlockBudget = 1 << 20;  // bytes of V + M per block (automatic block size)

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t RoundUp(int64_t v, int64_t m) { return CeilDiv(v, m) * m; }
size_t AlignUp(size_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

// Everything one Run needs, shared by its threads.
struct Ctx {
  int64_t h, w, c, m, oh, ow, tiles_w, tiles_per_image, pad_top, pad_left, cp, mp;
  const float* u;
  const float* bias;
  const float* x;
  int64_t xs;
  float* y;
  int64_t ys;
  const float* z;
  int64_t zs;
  float lo, hi;
};

alignas(32) constexpr int32_t kMaskTable[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

WINO_INLINE __m256i TailMask(int64_t rem) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMaskTable + 8 - rem));
}

template <bool kTail>
WINO_INLINE __m256 Load(const float* p, __m256i mask) {
  if constexpr (kTail) return _mm256_maskload_ps(p, mask);
  return _mm256_loadu_ps(p);
}

// r = B^T d for one 6-vector: rows of B^T are
// [4 0 -5 0 1 0] [0 -4 -4 1 1 0] [0 4 -4 -1 1 0] [0 -2 -1 2 1 0] [0 2 -1 -2 1 0] [0 4 0 -5 0 1].
WINO_INLINE void InputTransform6(const __m256 d[6], __m256 r[6]) {
  const __m256 four = _mm256_set1_ps(4.0f), five = _mm256_set1_ps(5.0f);
  r[0] = _mm256_fmadd_ps(four, d[0], _mm256_fnmadd_ps(five, d[2], d[4]));
  const __m256 t1 = _mm256_fnmadd_ps(four, d[2], d[4]);  // d4 - 4 d2
  const __m256 t2 = _mm256_fnmadd_ps(four, d[1], d[3]);  // d3 - 4 d1
  r[1] = _mm256_add_ps(t1, t2);
  r[2] = _mm256_sub_ps(t1, t2);
  const __m256 t3 = _mm256_sub_ps(d[4], d[2]);
  const __m256 t4 = _mm256_sub_ps(d[3], d[1]);
  const __m256 t5 = _mm256_add_ps(t4, t4);
  r[3] = _mm256_add_ps(t3, t5);
  r[4] = _mm256_sub_ps(t3, t5);
  r[5] = _mm256_fmadd_ps(four, d[1], _mm256_fnmadd_ps(five, d[3], d[5]));
}

// o = A^T s: rows of A^T are [1 1 1 1 1 0] [0 1 -1 2 -2 0] [0 1 1 4 4 0] [0 1 -1 8 -8 1].
WINO_INLINE void OutputTransform6(const __m256 s[6], __m256 o[4]) {
  const __m256 a = _mm256_add_ps(s[1], s[2]), b = _mm256_sub_ps(s[1], s[2]);
  const __m256 c = _mm256_add_ps(s[3], s[4]), d = _mm256_sub_ps(s[3], s[4]);
  o[0] = _mm256_add_ps(_mm256_add_ps(s[0], a), c);
  o[1] = _mm256_fmadd_ps(_mm256_set1_ps(2.0f), d, b);
  o[2] = _mm256_fmadd_ps(_mm256_set1_ps(4.0f), c, a);
  o[3] = _mm256_add_ps(_mm256_fmadd_ps(_mm256_set1_ps(8.0f), d, b), s[5]);
}

// Transforms channels [k, k+8) of one 6x6 input tile. off[i][j]: float offset of input pixel
// (row i, column j) in x, or -1 where it lies in the zero padding.
template <bool kFull, bool kTail>
WINO_AVX2 void InputChunk(const float* x, const int64_t (&off)[6][6], int64_t k, __m256i mask, float* v,
                          int64_t vs) {
  __m256 t[6][6];
#pragma GCC unroll 6
  for (int i = 0; i < 6; ++i) {
    __m256 d[6];
#pragma GCC unroll 6
    for (int j = 0; j < 6; ++j) {
      d[j] = (kFull || off[i][j] >= 0) ? Load<kTail>(x + off[i][j] + k, mask) : _mm256_setzero_ps();
    }
    InputTransform6(d, t[i]);
  }
#pragma GCC unroll 6
  for (int j = 0; j < 6; ++j) {
    const __m256 col[6] = {t[0][j], t[1][j], t[2][j], t[3][j], t[4][j], t[5][j]};
    __m256 r[6];
    InputTransform6(col, r);
#pragma GCC unroll 6
    for (int i = 0; i < 6; ++i) _mm256_store_ps(v + (i * 6 + j) * vs + k, r[i]);
  }
}

template <bool kFull>
WINO_AVX2 void InputTile(const Ctx& g, int64_t b, int64_t iy0, int64_t ix0, float* v, int64_t vs) {
  int64_t off[6][6];
  for (int i = 0; i < 6; ++i) {
    for (int j = 0; j < 6; ++j) {
      const int64_t iy = iy0 + i, ix = ix0 + j;
      const bool in = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
      off[i][j] = in ? ((b * g.h + iy) * g.w + ix) * g.xs : -1;
    }
  }
  const __m256i all = TailMask(8);
  int64_t k = 0;
  for (; k + 8 <= g.c; k += 8) InputChunk<kFull, false>(g.x, off, k, all, v, vs);
  if (k < g.c) InputChunk<kFull, true>(g.x, off, k, TailMask(g.c - k), v, vs);
}

// Input transform of tiles [t0, t0 + count) into v (tile t0's row of [36][block][cp]; vs = block * cp).
WINO_AVX2 void InputTiles(const Ctx& g, int64_t t0, int64_t count, float* v, int64_t vs) {
  for (int64_t t = t0; t < t0 + count; ++t) {
    const int64_t b = t / g.tiles_per_image, r = t % g.tiles_per_image;
    const int64_t iy0 = r / g.tiles_w * 4 - g.pad_top, ix0 = r % g.tiles_w * 4 - g.pad_left;
    float* vt = v + (t - t0) * g.cp;
    if (iy0 >= 0 && iy0 + 6 <= g.h && ix0 >= 0 && ix0 + 6 <= g.w) {
      InputTile<true>(g, b, iy0, ix0, vt, vs);
    } else {
      InputTile<false>(g, b, iy0, ix0, vt, vs);
    }
  }
}

// c[0..mr)[0..kNr) = a[0..mr)[0..kc) * b[0..kc)[0..kNr); rows >= mr alias row mr - 1.
template <int kNr>
WINO_AVX2 void Gemm6(int64_t mr, int64_t kc, const float* a, int64_t as, const float* b, float* c, int64_t cs) {
  constexpr int kN = kNr / 8;
  const float* ap[kMr];
  float* cp[kMr];
  ap[0] = a;
  cp[0] = c;
  for (int r = 1; r < kMr; ++r) {
    ap[r] = r < mr ? ap[r - 1] + as : ap[r - 1];
    cp[r] = r < mr ? cp[r - 1] + cs : cp[r - 1];
  }
  __m256 acc[kMr][kN];
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) {
#pragma GCC unroll 2
    for (int q = 0; q < kN; ++q) acc[r][q] = _mm256_setzero_ps();
  }
  for (int64_t k = 0; k < kc; ++k) {
    __m256 bv[kN];
#pragma GCC unroll 2
    for (int q = 0; q < kN; ++q) bv[q] = _mm256_load_ps(b + 8 * q);
    b += kNr;
#pragma GCC unroll 6
    for (int r = 0; r < kMr; ++r) {
      const __m256 av = _mm256_broadcast_ss(ap[r] + k);
#pragma GCC unroll 2
      for (int q = 0; q < kN; ++q) acc[r][q] = _mm256_fmadd_ps(av, bv[q], acc[r][q]);
    }
  }
  // Stores in reverse so that aliased rows end with row mr - 1's (identical) values.
#pragma GCC unroll 6
  for (int r = kMr - 1; r >= 0; --r) {
#pragma GCC unroll 2
    for (int q = 0; q < kN; ++q) _mm256_store_ps(cp[r] + 8 * q, acc[r][q]);
  }
}

// GEMM of one position p and one panel of 16 (or 8) output channels starting at channel j, over
// count tiles, into mb ([36][count][mw]; column 0 is channel j0).
WINO_AVX2 void GemmPanel(const Ctx& g, int64_t count, const float* v, float* mb, int64_t mw, int64_t p, int64_t j,
                         int64_t j0) {
  const float* b = g.u + p * g.c * g.mp + j * g.c;
  const float* a = v + p * count * g.cp;
  float* c = mb + p * count * mw + (j - j0);
  const bool wide = g.mp - j >= 16;
  for (int64_t r = 0; r < count; r += kMr) {
    const int64_t mr = std::min(kMr, count - r);
    if (wide) {
      Gemm6<16>(mr, g.c, a + r * g.cp, g.cp, b, c + r * mw, mw);
    } else {
      Gemm6<8>(mr, g.c, a + r * g.cp, g.cp, b, c + r * mw, mw);
    }
  }
}

// Output channels [k, k+8) of one tile (M column mk): y = clamp(A^T M A + bias + z).
template <bool kFull, bool kTail>
WINO_AVX2 void OutputChunk(const Ctx& g, const float* mt, int64_t ms, int64_t mk, int64_t k, __m256i mask,
                           int64_t pix0, int rows, int cols) {
  __m256 t[6][4];
#pragma GCC unroll 6
  for (int i = 0; i < 6; ++i) {
    __m256 s[6];
#pragma GCC unroll 6
    for (int j = 0; j < 6; ++j) s[j] = _mm256_load_ps(mt + (i * 6 + j) * ms + mk);
    OutputTransform6(s, t[i]);
  }
  const __m256 bias = _mm256_load_ps(g.bias + k);
  const __m256 lo = _mm256_set1_ps(g.lo), hi = _mm256_set1_ps(g.hi);
  const int nr = kFull ? 4 : rows, nc = kFull ? 4 : cols;
#pragma GCC unroll 4
  for (int j = 0; j < nc; ++j) {
    const __m256 col[6] = {t[0][j], t[1][j], t[2][j], t[3][j], t[4][j], t[5][j]};
    __m256 o[4];
    OutputTransform6(col, o);
#pragma GCC unroll 4
    for (int i = 0; i < nr; ++i) {
      const int64_t pix = pix0 + i * g.ow + j;
      __m256 val = _mm256_add_ps(o[i], bias);
      if (g.z != nullptr) val = _mm256_add_ps(val, Load<kTail>(g.z + pix * g.zs + k, mask));
      val = _mm256_min_ps(_mm256_max_ps(val, lo), hi);
      if constexpr (kTail) {
        _mm256_maskstore_ps(g.y + pix * g.ys + k, mask, val);
      } else {
        _mm256_storeu_ps(g.y + pix * g.ys + k, val);
      }
    }
  }
}

// Channels [j0, j1) of one tile; mt's column 0 is channel j0.
template <bool kFull>
WINO_AVX2 void OutputTile(const Ctx& g, const float* mt, int64_t ms, int64_t j0, int64_t j1, int64_t pix0, int rows,
                          int cols) {
  const __m256i all = TailMask(8);
  int64_t k = j0;
  for (; k + 8 <= j1; k += 8) OutputChunk<kFull, false>(g, mt, ms, k - j0, k, all, pix0, rows, cols);
  if (k < j1) OutputChunk<kFull, true>(g, mt, ms, k - j0, k, TailMask(j1 - k), pix0, rows, cols);
}

// Output transform of channels [j0, j1) of tiles [t0, t0 + count) from mb ([36][count][mw], column 0
// is channel j0; ms = count * mw).
WINO_AVX2 void OutputTiles(const Ctx& g, int64_t t0, int64_t count, const float* mb, int64_t ms, int64_t mw,
                           int64_t j0, int64_t j1) {
  for (int64_t t = t0; t < t0 + count; ++t) {
    const int64_t b = t / g.tiles_per_image, r = t % g.tiles_per_image;
    const int64_t oy0 = r / g.tiles_w * 4, ox0 = r % g.tiles_w * 4;
    const int rows = static_cast<int>(std::min<int64_t>(4, g.oh - oy0));
    const int cols = static_cast<int>(std::min<int64_t>(4, g.ow - ox0));
    const int64_t pix0 = (b * g.oh + oy0) * g.ow + ox0;
    const float* mt = mb + (t - t0) * mw;
    if (rows == 4 && cols == 4) {
      OutputTile<true>(g, mt, ms, j0, j1, pix0, rows, cols);
    } else {
      OutputTile<false>(g, mt, ms, j0, j1, pix0, rows, cols);
    }
  }
}

// U = G g G^T for the 16 output channels [j0, j0 + 16) (one panel) and every input channel,
// written to the panel's rows of the 36 position planes of u ([36][c * mp]); lanes past m are
// zeros. The 36 results of a block of kCiBlock input channels are gathered in `block` and written
// as one contiguous run per plane (the planes lie c * mp floats apart, often a multiple of 4 KiB).
WINO_AVX2 void TransformPanel(const Conv3x3Params& p, int64_t mp, int64_t j0, float* u) {
  static constexpr float kG[6][3] = {{1.0f / 4, 0, 0},
                                     {-1.0f / 6, -1.0f / 6, -1.0f / 6},
                                     {-1.0f / 6, 1.0f / 6, -1.0f / 6},
                                     {1.0f / 24, 1.0f / 12, 1.0f / 6},
                                     {1.0f / 24, -1.0f / 12, 1.0f / 6},
                                     {0, 0, 1}};
  constexpr int64_t kCiBlock = 8;
  alignas(64) float gt[9][16];     // g[k] per lane
  alignas(64) float gg[6][3][16];  // (G g)[i][b] per lane
  alignas(64) float block[kPos][kCiBlock][16];
  const int64_t width = std::min<int64_t>(16, mp - j0);
  for (int64_t ci0 = 0; ci0 < p.c; ci0 += kCiBlock) {
    const int64_t cb = std::min(kCiBlock, p.c - ci0);
    for (int64_t cc = 0; cc < cb; ++cc) {
      const int64_t ci = ci0 + cc;
      for (int64_t l = 0; l < 16; ++l) {
        const int64_t o = j0 + l;
        for (int t = 0; t < 9; ++t) gt[t][l] = (l < width && o < p.m) ? p.weights[(o * p.c + ci) * 9 + t] : 0.0f;
      }
#pragma GCC unroll 6
      for (int i = 0; i < 6; ++i) {
#pragma GCC unroll 3
        for (int b = 0; b < 3; ++b) {
          for (int l = 0; l < 16; ++l) {
            gg[i][b][l] = kG[i][0] * gt[b][l] + kG[i][1] * gt[3 + b][l] + kG[i][2] * gt[6 + b][l];
          }
        }
      }
#pragma GCC unroll 6
      for (int i = 0; i < 6; ++i) {
#pragma GCC unroll 6
        for (int j = 0; j < 6; ++j) {
          float* dst = block[i * 6 + j][cc];
          for (int l = 0; l < 16; ++l) {
            dst[l] = gg[i][0][l] * kG[j][0] + gg[i][1][l] * kG[j][1] + gg[i][2][l] * kG[j][2];
          }
        }
      }
    }
    for (int64_t pos = 0; pos < kPos; ++pos) {
      float* dst = u + pos * p.c * mp + j0 * p.c + ci0 * width;
      for (int64_t cc = 0; cc < cb; ++cc) std::copy(block[pos][cc], block[pos][cc] + width, dst + cc * width);
    }
  }
}

}  // namespace

bool Available() {
  static const bool available = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return available;
}

void Conv3x3::FloatFree::operator()(float* p) const { ::operator delete[](p, std::align_val_t(kAlign)); }

Conv3x3::~Conv3x3() = default;

Result<std::unique_ptr<Conv3x3>> Conv3x3::Create(const Conv3x3Params& p) {
  auto positive = [](const char* name, int64_t v) -> Status {
    if (v >= 1) return Status::Ok();
    return InvalidArgument(std::string("winograd conv3x3: ") + name + " must be >= 1, got " + std::to_string(v));
  };
  auto non_negative = [](const char* name, int64_t v) -> Status {
    if (v >= 0) return Status::Ok();
    return InvalidArgument(std::string("winograd conv3x3: ") + name + " must be >= 0, got " + std::to_string(v));
  };
  EDGERUN_RETURN_IF_ERROR(positive("n", p.n));
  EDGERUN_RETURN_IF_ERROR(positive("h", p.h));
  EDGERUN_RETURN_IF_ERROR(positive("w", p.w));
  EDGERUN_RETURN_IF_ERROR(positive("c", p.c));
  EDGERUN_RETURN_IF_ERROR(positive("m", p.m));
  EDGERUN_RETURN_IF_ERROR(non_negative("pad_top", p.pad_top));
  EDGERUN_RETURN_IF_ERROR(non_negative("pad_left", p.pad_left));
  EDGERUN_RETURN_IF_ERROR(non_negative("pad_bottom", p.pad_bottom));
  EDGERUN_RETURN_IF_ERROR(non_negative("pad_right", p.pad_right));
  EDGERUN_RETURN_IF_ERROR(non_negative("tile_block", p.tile_block));
  if (p.weights == nullptr) return InvalidArgument("winograd conv3x3: weights must not be null");
  const int64_t oh = p.h + p.pad_top + p.pad_bottom - 2, ow = p.w + p.pad_left + p.pad_right - 2;
  if (oh < 1 || ow < 1) {
    return InvalidArgument("winograd conv3x3: output would be empty (out_h " + std::to_string(oh) + ", out_w " +
                           std::to_string(ow) + "): h + pad_top + pad_bottom and w + pad_left + pad_right must be >= 3");
  }
  constexpr int64_t kMaxDim = int64_t{1} << 24;
  if (p.c > kMaxDim || p.m > kMaxDim || p.h > kMaxDim || p.w > kMaxDim || p.n > kMaxDim) {
    return InvalidArgument("winograd conv3x3: n, h, w, c and m must be <= 2^24");
  }

  std::unique_ptr<Conv3x3> conv(new Conv3x3());
  Conv3x3& k = *conv;
  k.n_ = p.n, k.h_ = p.h, k.w_ = p.w, k.c_ = p.c, k.m_ = p.m, k.pad_top_ = p.pad_top, k.pad_left_ = p.pad_left;
  k.oh_ = oh, k.ow_ = ow;
  k.tiles_h_ = CeilDiv(oh, 4), k.tiles_w_ = CeilDiv(ow, 4), k.tiles_ = p.n * k.tiles_h_ * k.tiles_w_;
  k.cp_ = RoundUp(p.c, 8), k.mp_ = RoundUp(p.m, 8);
  k.tile_block_ = p.tile_block;

  const size_t u_floats = static_cast<size_t>(kPos * k.c_ * k.mp_);
  k.u_.reset(static_cast<float*>(::operator new[](u_floats * sizeof(float), std::align_val_t(kAlign), std::nothrow)));
  k.bias_.reset(static_cast<float*>(
      ::operator new[](static_cast<size_t>(k.mp_) * sizeof(float), std::align_val_t(kAlign), std::nothrow)));
  if (!k.u_ || !k.bias_) return OutOfMemory("winograd conv3x3: packed weights (" + std::to_string(u_floats * 4) + " bytes)");
  for (int64_t o = 0; o < k.mp_; ++o) k.bias_[o] = (p.bias != nullptr && o < p.m) ? p.bias[o] : 0.0f;

  // U = G g G^T per (output, input) channel pair, 16 output channels (one panel row) at a time
  // so that the loops over lanes vectorize and each of the 36 position planes is written
  // sequentially; lanes past m are written as zeros (every float of U is written).
  for (int64_t j0 = 0; j0 < k.mp_; j0 += 16) TransformPanel(p, k.mp_, j0, k.u_.get());
  return conv;
}

size_t Conv3x3::PackedWeightBytes() const { return static_cast<size_t>(kPos * c_ * mp_ + mp_) * sizeof(float); }

Conv3x3::Schedule Conv3x3::Plan(size_t threads) const {
  const size_t per_tile = static_cast<size_t>(kPos * (cp_ + mp_)) * sizeof(float);
  int64_t tb = tile_block_;
  if (tb == 0) {
    tb = std::max<int64_t>(kMr, static_cast<int64_t>(kBlockBudget / per_tile) / kMr * kMr);
    // Each block streams all of U: up to twice the budget, one block beats two.
    if (tiles_ <= 2 * tb) tb = tiles_;
  }
  tb = std::min(tb, tiles_);
  const int64_t t = static_cast<int64_t>(std::max<size_t>(threads, 1));
  const int64_t panels = CeilDiv(mp_, 16);
  Schedule s;
  s.blocks = CeilDiv(tiles_, tb);
  s.groups = 1;
  if (t > 1) {
    if (s.blocks >= 2 * t) {
      s.blocks = RoundUp(s.blocks, t);  // balanced
    } else {
      s.groups = std::min(panels, CeilDiv(2 * t, s.blocks));
    }
  }
  s.block = CeilDiv(tiles_, s.blocks);
  s.blocks = CeilDiv(tiles_, s.block);
  const int64_t panels_per_group = CeilDiv(panels, s.groups);
  s.groups = CeilDiv(panels, panels_per_group);
  s.group_channels = panels_per_group * 16;
  const int64_t gw = std::min(s.group_channels, mp_);
  s.slot_bytes = AlignUp(static_cast<size_t>(kPos * s.block * (cp_ + gw)) * sizeof(float));
  return s;
}

size_t Conv3x3::ScratchBytes(size_t threads) const {
  return std::max<size_t>(threads, 1) * Plan(threads).slot_bytes + kAlign;
}

void Conv3x3::Run(const float* x, size_t x_stride, float* y, size_t y_stride, const float* z, size_t z_stride,
                  float lo, float hi, void* scratch, pthreadpool_t pool) const {
  const size_t threads = pool != nullptr ? std::max<size_t>(pthreadpool_get_threads_count(pool), 1) : 1;
  Run(x, x_stride, y, y_stride, z, z_stride, lo, hi, scratch,
      [](void* ctx, size_t n, void (*task)(void*, size_t), void* arg) {
        pthreadpool_parallelize_1d(static_cast<pthreadpool_t>(ctx), task, arg, n, 0);
      },
      pool, threads);
}

void Conv3x3::Run(const float* x, size_t x_stride, float* y, size_t y_stride, const float* z, size_t z_stride,
                  float lo, float hi, void* scratch, ParallelFn parallel, void* parallel_ctx,
                  size_t threads) const {
  threads = std::max<size_t>(threads, 1);
  const Schedule s = Plan(threads);
  const Ctx g{h_,      w_,    c_,     m_,   oh_,         ow_,      tiles_w_,
              tiles_h_ * tiles_w_,  pad_top_, pad_left_, cp_, mp_, u_.get(), bias_.get(),
              x,       static_cast<int64_t>(x_stride),      y,  static_cast<int64_t>(y_stride),
              z,       static_cast<int64_t>(z_stride),      lo, hi};
  auto* base = reinterpret_cast<float*>(AlignUp(reinterpret_cast<uintptr_t>(scratch)));
  const int64_t items = s.blocks * s.groups;
  std::atomic<int64_t> next{0};
  auto body = [&](size_t slot) {
    float* v = base + slot * s.slot_bytes / sizeof(float);
    for (int64_t item; (item = next.fetch_add(1, std::memory_order_relaxed)) < items;) {
      const int64_t blk = item / s.groups, q = item % s.groups;
      const int64_t t0 = blk * s.block, count = std::min(s.block, tiles_ - t0);
      const int64_t j0 = q * s.group_channels, j1 = std::min(j0 + s.group_channels, mp_);
      float* mb = v + kPos * count * cp_;
      InputTiles(g, t0, count, v, count * cp_);
      for (int64_t p = 0; p < kPos; ++p) {
        for (int64_t j = j0; j < j1; j += 16) GemmPanel(g, count, v, mb, j1 - j0, p, j, j0);
      }
      OutputTiles(g, t0, count, mb, count * (j1 - j0), j1 - j0, j0, std::min(j1, m_));
    }
  };
  using Body = decltype(body);
  if (threads == 1) {
    body(0);
    return;
  }
  parallel(parallel_ctx, threads, [](void* f, size_t slot) { (*static_cast<Body*>(f))(slot); }, &body);
}

}  // namespace edgerun::xnn::winograd
