// Sliding-window attributes and geometry shared by Conv, ConvTranspose, Col2Im and the pooling
// kernels: parsing of kernel_shape/strides/dilations/pads/auto_pad/ceil_mode at session creation,
// and resolution of padding and output sizes from the actual input shape at run time.
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgerun/status.h"
#include "edgerun/tensor.h"
#include "ir/graph.h"

namespace edgerun {

enum class AutoPad { kNotSet, kSameUpper, kSameLower, kValid };

// Window attributes as written on the node. Empty lists mean "not given" (defaults apply).
struct WindowAttrs {
  AutoPad auto_pad = AutoPad::kNotSet;
  Dims kernel_shape;
  Dims strides;
  Dims dilations;
  Dims pads;  // [begin_0, ..., begin_n-1, end_0, ..., end_n-1]
  bool ceil_mode = false;
};

// Reads the window attributes. InvalidArgument for an unknown auto_pad, non-positive kernel
// sizes, strides or dilations, negative pads (unless allow_negative_pads), or lists whose
// lengths disagree.
Result<WindowAttrs> ParseWindowAttrs(const ir::Node& node, bool allow_negative_pads = false);

// A window over `rank` spatial dims. For Conv and pooling, `in` is the input image and `out` the
// grid of window positions; Col2Im-style scatters reuse the same geometry with the image as `in`.
struct WindowGeometry {
  Dims in, out, kernel, strides, dilations, pad_begin, pad_end;

  size_t rank() const { return in.size(); }
  int64_t InSize() const { return Product(in); }
  int64_t OutSize() const { return Product(out); }
  int64_t KernelSize() const { return Product(kernel); }
  static int64_t Product(const Dims& v) {
    int64_t p = 1;
    for (int64_t d : v) p *= d;
    return p;
  }
};

// Fills strides, dilations and pads (with defaults for absent lists) for `rank` spatial dims and
// checks that the given lists have that length. Pads come from the attribute; auto_pad is not
// applied here.
Status FillWindowParams(const WindowAttrs& a, size_t rank, WindowGeometry* g);

// Geometry of a forward window (Conv, pooling) over `in_spatial` with `kernel`: applies auto_pad
// and ceil_mode (ceil_mode only for pooling) and computes the output sizes. InvalidArgument when
// the lists do not match the rank or an output size would be below 1.
Result<WindowGeometry> ForwardGeometry(const WindowAttrs& a, const Shape& in_spatial,
                                       const Dims& kernel);

}  // namespace edgerun
