// Blocked transposes for the layout conversions (see xnnpack_layout.h).
#include "kernels/xnnpack/xnnpack_layout.h"

#include <algorithm>
#include <cstring>

namespace edgerun::xnn {

namespace {
constexpr int64_t kTile = 16;
}  // namespace

void NchwToNhwc(const float* src, float* dst, int64_t batch, int64_t channels, int64_t pixels, size_t dst_stride) {
  const int64_t ds = static_cast<int64_t>(dst_stride);
  for (int64_t n = 0; n < batch; ++n) {
    const float* s = src + n * channels * pixels;
    float* d = dst + n * pixels * ds;
    for (int64_t p0 = 0; p0 < pixels; p0 += kTile) {
      const int64_t p1 = std::min(pixels, p0 + kTile);
      for (int64_t c0 = 0; c0 < channels; c0 += kTile) {
        const int64_t c1 = std::min(channels, c0 + kTile);
        for (int64_t p = p0; p < p1; ++p) {
          for (int64_t c = c0; c < c1; ++c) d[p * ds + c] = s[c * pixels + p];
        }
      }
    }
  }
}

void NhwcToNchw(const float* src, float* dst, int64_t batch, int64_t channels, int64_t pixels, size_t src_stride) {
  const int64_t ss = static_cast<int64_t>(src_stride);
  for (int64_t n = 0; n < batch; ++n) {
    const float* s = src + n * pixels * ss;
    float* d = dst + n * channels * pixels;
    for (int64_t c0 = 0; c0 < channels; c0 += kTile) {
      const int64_t c1 = std::min(channels, c0 + kTile);
      for (int64_t p0 = 0; p0 < pixels; p0 += kTile) {
        const int64_t p1 = std::min(pixels, p0 + kTile);
        for (int64_t c = c0; c < c1; ++c) {
          for (int64_t p = p0; p < p1; ++p) d[c * pixels + p] = s[p * ss + c];
        }
      }
    }
  }
}

void CopyRows(const float* src, size_t src_stride, float* dst, size_t dst_stride, int64_t rows, int64_t cols) {
  if (src_stride == dst_stride && src_stride == static_cast<size_t>(cols)) {
    std::memcpy(dst, src, static_cast<size_t>(rows * cols) * sizeof(float));
    return;
  }
  for (int64_t r = 0; r < rows; ++r) {
    std::memcpy(dst + r * static_cast<int64_t>(dst_stride), src + r * static_cast<int64_t>(src_stride),
                static_cast<size_t>(cols) * sizeof(float));
  }
}

}  // namespace edgerun::xnn
