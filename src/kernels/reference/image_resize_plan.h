// Resize interpolation plan: per-axis tables of (input index, weight) taps computed from the
// coordinate transformation, and their application to a tensor. Follows the ONNX reference
// semantics (onnx/reference/ops/op_resize.py): separable N-d nearest, linear and cubic
// interpolation with optional antialiasing, exclude_outside and tf_crop_and_resize extrapolation.
// Thread-safety: plain data and stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgerun/status.h"
#include "edgerun/tensor.h"

namespace edgerun {

enum class ResizeMode { kNearest, kLinear, kCubic };

enum class ResizeCoordMode {
  kHalfPixel,
  kHalfPixelSymmetric,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNn,
  kTfCropAndResize,
};

// kSimple is the pre-opset-11 rule: ceil when downsampling, floor otherwise.
enum class ResizeNearestMode { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil, kSimple };

struct ResizeOptions {
  ResizeMode mode = ResizeMode::kNearest;
  ResizeCoordMode coord = ResizeCoordMode::kHalfPixel;
  ResizeNearestMode nearest = ResizeNearestMode::kRoundPreferFloor;
  double cubic_a = -0.75;
  bool exclude_outside = false;
  bool antialias = false;
  double extrapolation_value = 0.0;
};

// Parsers for attribute strings; false when the name is unknown.
bool ParseResizeMode(const std::string& s, ResizeMode* out);
bool ParseResizeCoordMode(const std::string& s, ResizeCoordMode* out);
bool ParseResizeNearestMode(const std::string& s, ResizeNearestMode* out);

// What one axis needs to compute its taps.
struct ResizeAxis {
  int64_t in = 1;
  int64_t out = 1;
  double scale = 1.0;      // used by the coordinate transformation
  double out_float = 1.0;  // "output width" before flooring (scale * in, or out for sizes)
  double roi_start = 0.0;
  double roi_end = 1.0;
};

// Taps of one axis: for output coordinate o, entries [begin[o], begin[o+1]) of offset/weight.
// Offsets are input indices already multiplied by the axis stride. outside[o] marks
// tf_crop_and_resize coordinates that take the extrapolation value.
struct ResizeAxisTaps {
  Dims begin;
  Dims offset;
  std::vector<double> weight;
  std::vector<uint8_t> outside;
};

ResizeAxisTaps ComputeResizeAxisTaps(const ResizeOptions& opt, const ResizeAxis& axis, int64_t stride);

// Computes y (already allocated with the output shape and x's dtype) from x. Float linear and
// cubic resizes of the last two axes take ApplyResize2dF32 (below); everything else the generic
// double-precision walk, ApplyResizeGeneric.
Status ApplyResize(const ResizeOptions& opt, const std::vector<ResizeAxisTaps>& taps, const Tensor& x,
                   Tensor* y);
Status ApplyResizeGeneric(const ResizeOptions& opt, const std::vector<ResizeAxisTaps>& taps, const Tensor& x,
                          Tensor* y);

// The float fast path: when x is float, the mode linear or cubic, every axis but the last two
// kept as is (one tap of weight 1 per output index, out == in) and no output of the last two
// extrapolated, computes each plane as rows of float multiply-adds over the two axes' taps
// (weights rounded to float) and returns true; else returns false and leaves y untouched.
// Checked against ApplyResizeGeneric in image_resize_test.cc.
bool ApplyResize2dF32(const ResizeOptions& opt, const std::vector<ResizeAxisTaps>& taps, const Tensor& x, Tensor* y);

}  // namespace edgerun
