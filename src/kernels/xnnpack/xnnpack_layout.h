// NCHW <-> NHWC conversions at XNNPACK partition borders (any number of spatial dims, flattened
// to `pixels`). Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgerun::xnn {

// dst[n][p][c] (pixel stride `dst_stride`) = src[n][c][p].
void NchwToNhwc(const float* src, float* dst, int64_t batch, int64_t channels, int64_t pixels, size_t dst_stride);
// dst[n][c][p] = src[n][p][c] (pixel stride `src_stride`).
void NhwcToNchw(const float* src, float* dst, int64_t batch, int64_t channels, int64_t pixels, size_t src_stride);
// Copies `rows` rows of `cols` floats between pitched buffers.
void CopyRows(const float* src, size_t src_stride, float* dst, size_t dst_stride, int64_t rows, int64_t cols);

}  // namespace edgerun::xnn
