// Building blocks of the reference convolutions: im2col (gather windows into columns), col2im
// (scatter-add columns back into an image) and a cache-blocked GEMM that accumulates into C.
// All buffers are dense row-major. Thread-safety: pure functions over caller-owned buffers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/reference/conv_geometry.h"

namespace edgerun {

// C[m x n] += A * B where A is m x k with element (i, p) at a[i * a_row + p * a_col] (so a
// transposed A is just swapped strides) and B is k x n with leading dimension ldb; C has
// leading dimension ldc. Blocked over n and k so the B panel and C rows stay in cache.
template <typename T>
void ConvGemmAcc(int64_t m, int64_t n, int64_t k, const T* a, int64_t a_row, int64_t a_col, const T* b, int64_t ldb,
                 T* c, int64_t ldc) {
  constexpr int64_t kBlockN = 512;
  constexpr int64_t kBlockK = 128;
  for (int64_t n0 = 0; n0 < n; n0 += kBlockN) {
    const int64_t nb = std::min(kBlockN, n - n0);
    for (int64_t k0 = 0; k0 < k; k0 += kBlockK) {
      const int64_t kb = std::min(kBlockK, k - k0);
      for (int64_t i = 0; i < m; ++i) {
        T* __restrict crow = c + i * ldc + n0;
        for (int64_t p = k0; p < k0 + kb; ++p) {
          const T av = a[i * a_row + p * a_col];
          const T* __restrict brow = b + p * ldb + n0;
          for (int64_t j = 0; j < nb; ++j) crow[j] += av * brow[j];
        }
      }
    }
  }
}

namespace conv_internal {

// Advances an odometer over dims [0, count) of `limits` (last dim fastest); returns false after
// the final index, leaving idx all zeros.
inline bool NextIndex(Dims& idx, const Dims& limits, size_t count) {
  for (size_t d = count; d-- > 0;) {
    if (++idx[d] < limits[d]) return true;
    idx[d] = 0;
  }
  return false;
}

}  // namespace conv_internal

// Gathers windows of `image` (channels x g.in) into `col` ((channels * g.KernelSize()) x
// g.OutSize()): row (c, kernel tap) holds, for every window position, the image value under that
// tap or 0 where it falls in the padding.
template <typename T>
void Im2Col(const T* image, int64_t channels, const WindowGeometry& g, T* col) {
  const size_t rank = g.rank();
  const size_t last = rank - 1;
  const int64_t in_size = g.InSize();
  const int64_t kernel_size = g.KernelSize();
  const int64_t out_last = g.out[last];
  Dims in_strides(rank, 1);
  for (size_t d = rank - 1; d-- > 0;) in_strides[d] = in_strides[d + 1] * g.in[d + 1];
  Dims kidx(rank), oidx(rank);
  T* dst = col;
  for (int64_t c = 0; c < channels; ++c) {
    const T* src = image + c * in_size;
    std::fill(kidx.begin(), kidx.end(), 0);
    for (int64_t kk = 0; kk < kernel_size; ++kk) {
      std::fill(oidx.begin(), oidx.end(), 0);
      const int64_t k_last = kidx[last] * g.dilations[last] - g.pad_begin[last];
      do {
        bool valid = true;
        int64_t off = 0;
        for (size_t d = 0; d < last; ++d) {
          int64_t i = oidx[d] * g.strides[d] - g.pad_begin[d] + kidx[d] * g.dilations[d];
          if (i < 0 || i >= g.in[d]) {
            valid = false;
            break;
          }
          off += i * in_strides[d];
        }
        if (!valid) {
          std::fill(dst, dst + out_last, T(0));
        } else {
          const T* row = src + off;
          const int64_t s = g.strides[last];
          const int64_t in_last = g.in[last];
          for (int64_t o = 0; o < out_last; ++o) {
            int64_t i = o * s + k_last;
            dst[o] = (i >= 0 && i < in_last) ? row[i] : T(0);
          }
        }
        dst += out_last;
      } while (conv_internal::NextIndex(oidx, g.out, last));
      conv_internal::NextIndex(kidx, g.kernel, rank);
    }
  }
}

// The adjoint of Im2Col: adds every element of `col` ((channels * g.KernelSize()) x g.OutSize())
// into the image position (channels x g.in) under its tap; taps in the padding are dropped.
template <typename T>
void Col2ImAdd(const T* col, int64_t channels, const WindowGeometry& g, T* image) {
  const size_t rank = g.rank();
  const size_t last = rank - 1;
  const int64_t in_size = g.InSize();
  const int64_t kernel_size = g.KernelSize();
  const int64_t out_last = g.out[last];
  Dims in_strides(rank, 1);
  for (size_t d = rank - 1; d-- > 0;) in_strides[d] = in_strides[d + 1] * g.in[d + 1];
  Dims kidx(rank), oidx(rank);
  const T* src = col;
  for (int64_t c = 0; c < channels; ++c) {
    T* dst_image = image + c * in_size;
    std::fill(kidx.begin(), kidx.end(), 0);
    for (int64_t kk = 0; kk < kernel_size; ++kk) {
      std::fill(oidx.begin(), oidx.end(), 0);
      const int64_t k_last = kidx[last] * g.dilations[last] - g.pad_begin[last];
      do {
        bool valid = true;
        int64_t off = 0;
        for (size_t d = 0; d < last; ++d) {
          int64_t i = oidx[d] * g.strides[d] - g.pad_begin[d] + kidx[d] * g.dilations[d];
          if (i < 0 || i >= g.in[d]) {
            valid = false;
            break;
          }
          off += i * in_strides[d];
        }
        if (valid) {
          T* row = dst_image + off;
          const int64_t s = g.strides[last];
          const int64_t in_last = g.in[last];
          for (int64_t o = 0; o < out_last; ++o) {
            int64_t i = o * s + k_last;
            if (i >= 0 && i < in_last) row[i] += src[o];
          }
        }
        src += out_last;
      } while (conv_internal::NextIndex(oidx, g.out, last));
      conv_internal::NextIndex(kidx, g.kernel, rank);
    }
  }
}

}  // namespace edgerun
