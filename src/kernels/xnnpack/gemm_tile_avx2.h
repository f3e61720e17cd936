// The 6 x 16 fp32 register tile shared by the in-place GEMM convolutions (conv1d_gemm.cc,
// conv2d_gemm.cc), x86-64 AVX2+FMA. Internal: include only from translation units that check
// AVX2+FMA at run time before calling it.
//
// A tile is 6 output positions ("rows") by one panel of 16 output channels: 12 accumulator
// registers. Each row reads its receptive field in place from the (zero-padded) NHWC input: row r
// starts at a[r], tap (i, j) at a[r] + i * tap_step_h + j * tap_step_w, and each tap is a run of c
// contiguous input channels. The packed panel b is [taps][c][16]. Bias, the residual z and the
// clamp are applied before the store; with kPool2 the rows (0,1), (2,3), (4,5) are max-pooled
// first (the 1-D Conv-Relu-MaxPool(2) block).
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#define EDGERUN_GEMM_TILE_AVX2 __attribute__((target("avx2,fma")))

namespace edgerun::xnn::gemm_tile {

constexpr int kMr = 6;   // output positions per tile
constexpr int kNr = 16;  // output channels per panel

// True when this CPU has AVX2 and FMA (the tile's instruction set).
inline bool Available() {
  static const bool available = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return available;
}

// Receptive field of a row: taps_h x taps_w taps of c channels.
struct Window {
  int64_t taps_h = 1, taps_w = 1, c = 0;
  int64_t tap_step_h = 0, tap_step_w = 0;  // floats between vertically / horizontally adjacent taps
  float lo = 0, hi = 0;                    // the clamp
};

EDGERUN_GEMM_TILE_AVX2 inline __m256i LaneMask(int64_t valid) {  // lanes [0, valid) set, valid in [0, 8]
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(valid)), idx);
}

template <bool kMasked>
EDGERUN_GEMM_TILE_AVX2 inline __m256 Load(const float* p, __m256i mask) {
  if constexpr (kMasked) return _mm256_maskload_ps(p, mask);
  return _mm256_loadu_ps(p);
}

template <bool kMasked>
EDGERUN_GEMM_TILE_AVX2 inline void Store(float* p, __m256i mask, __m256 v) {
  if constexpr (kMasked) {
    _mm256_maskstore_ps(p, mask, v);
  } else {
    _mm256_storeu_ps(p, v);
  }
}

// Rows [0, mr) x one panel. a: each row's window start (rows past mr repeat row mr - 1); b: the
// packed panel; bias: the panel's 16 biases; y/z: row 0's output (and residual, or nullptr), rows
// ys / zs floats apart; width: valid channels of the panel (16 unless it is the last). With kPool2,
// y is row 0's pooled output and only the first `pooled` of the 3 pooled rows are stored.
template <bool kMasked, bool kPool2>
EDGERUN_GEMM_TILE_AVX2 inline void Tile(const Window& g, int mr, const float* const a[kMr], const float* b,
                                        const float* bias, const float* z, int64_t zs, float* y, int64_t ys,
                                        int64_t width, int pooled) {
  float* yp[kMr];
  const float* zp[kMr];
  yp[0] = y, zp[0] = z;
  for (int r = 1; r < kMr; ++r) {  // rows past mr alias row mr - 1 (stored last, identical values)
    const bool live = r < mr;
    yp[r] = (live && (!kPool2 || r < pooled)) ? yp[r - 1] + ys : yp[r - 1];
    zp[r] = (live && z != nullptr) ? zp[r - 1] + zs : zp[r - 1];
  }
  __m256 acc[kMr][2];
#pragma GCC unroll 6
  for (int r = 0; r < kMr; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  for (int64_t i = 0; i < g.taps_h; ++i) {
    for (int64_t j = 0; j < g.taps_w; ++j) {
      const int64_t off = i * g.tap_step_h + j * g.tap_step_w;
      const float* ap[kMr];
#pragma GCC unroll 6
      for (int r = 0; r < kMr; ++r) ap[r] = a[r] + off;
      for (int64_t ci = 0; ci < g.c; ++ci) {
        const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        b += kNr;
#pragma GCC unroll 6
        for (int r = 0; r < kMr; ++r) {
          const __m256 av = _mm256_broadcast_ss(ap[r] + ci);
          acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
          acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
        }
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

}  // namespace edgerun::xnn::gemm_tile
