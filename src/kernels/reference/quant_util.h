// Helpers shared by the quantization reference kernels: round-half-to-even with saturation,
// reading scales and zero points, and the mapping from an element of a quantized tensor to its
// quantization parameters (per-tensor, per-axis or blocked).
// Thread-safety: pure functions and value types.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "edgerun/status.h"
#include "edgerun/tensor.h"

namespace edgerun {

// Rounds to the nearest integer, ties to even (numpy.rint), independent of the FP environment.
inline double RoundHalfEven(double v) {
  double r = std::round(v);  // ties away from zero
  if (std::fabs(v - std::trunc(v)) == 0.5) r = 2.0 * std::round(v / 2.0);
  return r;
}

// Clamps `v` to the range of Q and converts; NaN becomes 0.
template <typename Q>
inline Q SaturateTo(double v) {
  if (std::isnan(v)) return Q(0);
  constexpr double lo = static_cast<double>(std::numeric_limits<Q>::lowest());
  constexpr double hi = static_cast<double>(std::numeric_limits<Q>::max());
  if (v <= lo) return std::numeric_limits<Q>::lowest();
  if (v >= hi) return std::numeric_limits<Q>::max();
  return static_cast<Q>(v);
}

// True for the integer types a quantized tensor (QuantizeLinear output, DequantizeLinear input,
// zero point) may have.
bool IsQuantIntType(DataType dt);

// Reads any numeric tensor as floats (float16/bfloat16 widen exactly).
Result<std::vector<float>> ReadAsFloats(const Tensor& t, const char* what);
// Reads an integer tensor of at most 32 bits as int32 values.
Result<std::vector<int32_t>> ReadAsInt32s(const Tensor& t, const char* what);

// Where the quantization parameter of each element of x lives. x is viewed as
// [outer, axis_dim, inner] around `axis` (per-tensor: [1, 1, numel]); a parameter tensor holds
// one value (per-tensor), axis_dim values (per-axis) or [outer, num_blocks, inner] values (blocked).
struct QuantLayout {
  enum class Kind { kPerTensor, kPerAxis, kBlocked };
  Kind kind = Kind::kPerTensor;
  int64_t outer = 1;
  int64_t axis_dim = 1;
  int64_t inner = 1;
  int64_t block_size = 0;
  int64_t num_blocks = 1;

  int64_t ParamIndex(int64_t o, int64_t d, int64_t i) const {
    switch (kind) {
      case Kind::kPerTensor: return 0;
      case Kind::kPerAxis: return d;
      case Kind::kBlocked: return (o * num_blocks + d / block_size) * inner + i;
    }
    return 0;
  }
};

// Derives the layout from x's shape and the scale's shape. A one-element scale is per-tensor
// (unless block_size > 0); a 1-D scale is per-axis along `axis` (opset 13+); with block_size > 0
// (opset 21+) the scale has x's rank and ceil(x.shape[axis] / block_size) along axis.
// `zero_point_shape`, when given, must equal the scale's shape. InvalidArgument names `what`.
Result<QuantLayout> MakeQuantLayout(const Shape& x, const Shape& scale, const Shape* zero_point_shape,
                                    int64_t axis, int64_t block_size, int opset, const std::string& what);

}  // namespace edgerun
