// Sliding-window attribute parsing and geometry (see conv_geometry.h).
#include "kernels/reference/conv_geometry.h"

#include <algorithm>

namespace edgerun {
namespace {

std::string ListToString(const Dims& v) { return ShapeToString(v); }

Status CheckPositive(const Dims& v, const char* name) {
  for (int64_t x : v) {
    if (x < 1) return InvalidArgument(std::string(name) + " must be positive, got " + ListToString(v));
  }
  return Status::Ok();
}

}  // namespace

Result<WindowAttrs> ParseWindowAttrs(const ir::Node& node, bool allow_negative_pads) {
  WindowAttrs a;
  std::string auto_pad = node.GetString("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET" || auto_pad.empty()) {
    a.auto_pad = AutoPad::kNotSet;
  } else if (auto_pad == "SAME_UPPER") {
    a.auto_pad = AutoPad::kSameUpper;
  } else if (auto_pad == "SAME_LOWER") {
    a.auto_pad = AutoPad::kSameLower;
  } else if (auto_pad == "VALID") {
    a.auto_pad = AutoPad::kValid;
  } else {
    return InvalidArgument(node.Describe() + ": unknown auto_pad '" + auto_pad + "'");
  }
  a.kernel_shape = node.GetInts("kernel_shape");
  a.strides = node.GetInts("strides");
  a.dilations = node.GetInts("dilations");
  a.pads = node.GetInts("pads");
  a.ceil_mode = node.GetInt("ceil_mode", 0) != 0;
  Status st = CheckPositive(a.kernel_shape, "kernel_shape");
  if (st.ok()) st = CheckPositive(a.strides, "strides");
  if (st.ok()) st = CheckPositive(a.dilations, "dilations");
  if (!st.ok()) return st.WithContext(node.Describe());
  if (!allow_negative_pads) {
    for (int64_t p : a.pads) {
      if (p < 0) return InvalidArgument(node.Describe() + ": pads must be non-negative, got " + ListToString(a.pads));
    }
  }
  // Bounds keep every window computation far from int64 overflow.
  constexpr int64_t kMaxWindowValue = int64_t{1} << 31;
  for (const Dims* v : {&a.kernel_shape, &a.strides, &a.dilations, &a.pads}) {
    for (int64_t x : *v) {
      if (x > kMaxWindowValue || x < -kMaxWindowValue) {
        return InvalidArgument(node.Describe() + ": window attribute value " + std::to_string(x) + " is out of range");
      }
    }
  }
  if (a.pads.size() % 2 != 0) {
    return InvalidArgument(node.Describe() + ": pads must have an even length, got " + ListToString(a.pads));
  }
  size_t rank = a.kernel_shape.size();
  auto check_len = [&](const Dims& v, size_t want, const char* name) -> Status {
    if (rank != 0 && !v.empty() && v.size() != want) {
      return InvalidArgument(node.Describe() + ": " + name + " has " + std::to_string(v.size()) +
                             " values, expected " + std::to_string(want) + " (kernel_shape " +
                             ListToString(a.kernel_shape) + ")");
    }
    return Status::Ok();
  };
  EDGERUN_RETURN_IF_ERROR(check_len(a.strides, rank, "strides"));
  EDGERUN_RETURN_IF_ERROR(check_len(a.dilations, rank, "dilations"));
  EDGERUN_RETURN_IF_ERROR(check_len(a.pads, 2 * rank, "pads"));
  return a;
}

Status FillWindowParams(const WindowAttrs& a, size_t rank, WindowGeometry* g) {
  auto fill = [rank](const Dims& v, int64_t def, const char* name,
                     Dims* out) -> Status {
    if (v.empty()) {
      out->assign(rank, def);
      return Status::Ok();
    }
    if (v.size() != rank) {
      return InvalidArgument(std::string(name) + " has " + std::to_string(v.size()) + " values but the input has " +
                             std::to_string(rank) + " spatial dims");
    }
    *out = v;
    return Status::Ok();
  };
  EDGERUN_RETURN_IF_ERROR(fill(a.strides, 1, "strides", &g->strides));
  EDGERUN_RETURN_IF_ERROR(fill(a.dilations, 1, "dilations", &g->dilations));
  if (a.pads.empty()) {
    g->pad_begin.assign(rank, 0);
    g->pad_end.assign(rank, 0);
  } else {
    if (a.pads.size() != 2 * rank) {
      return InvalidArgument("pads has " + std::to_string(a.pads.size()) + " values but the input has " +
                             std::to_string(rank) + " spatial dims");
    }
    g->pad_begin.assign(a.pads.begin(), a.pads.begin() + static_cast<std::ptrdiff_t>(rank));
    g->pad_end.assign(a.pads.begin() + static_cast<std::ptrdiff_t>(rank), a.pads.end());
  }
  return Status::Ok();
}

Result<WindowGeometry> ForwardGeometry(const WindowAttrs& a, const Shape& in_spatial,
                                       const Dims& kernel) {
  const size_t rank = in_spatial.size();
  WindowGeometry g;
  g.in = in_spatial;
  g.kernel = kernel;
  if (kernel.size() != rank) {
    return InvalidArgument("kernel has " + std::to_string(kernel.size()) + " dims but the input has " +
                           std::to_string(rank) + " spatial dims");
  }
  EDGERUN_RETURN_IF_ERROR(FillWindowParams(a, rank, &g));
  g.out.assign(rank, 0);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t in = g.in[d];
    const int64_t s = g.strides[d];
    const int64_t extent = (g.kernel[d] - 1) * g.dilations[d] + 1;
    switch (a.auto_pad) {
      case AutoPad::kSameUpper:
      case AutoPad::kSameLower: {
        g.out[d] = (in + s - 1) / s;
        int64_t total = std::max<int64_t>(0, (g.out[d] - 1) * s + extent - in);
        int64_t small = total / 2;
        g.pad_begin[d] = a.auto_pad == AutoPad::kSameUpper ? small : total - small;
        g.pad_end[d] = total - g.pad_begin[d];
        break;
      }
      case AutoPad::kValid:
        g.pad_begin[d] = g.pad_end[d] = 0;
        g.out[d] = in >= extent ? (in - extent) / s + 1 : 0;
        break;
      case AutoPad::kNotSet: {
        int64_t span = in + g.pad_begin[d] + g.pad_end[d] - extent;
        if (span < 0) {
          g.out[d] = 0;
        } else if (a.ceil_mode) {
          g.out[d] = (span + s - 1) / s + 1;
          // The last window must start inside the input or its leading padding.
          if ((g.out[d] - 1) * s >= in + g.pad_begin[d]) --g.out[d];
        } else {
          g.out[d] = span / s + 1;
        }
        break;
      }
    }
    if (g.out[d] < 1) {
      return InvalidArgument("spatial input " + ShapeToString(in_spatial) + " is too small for kernel " +
                             ShapeToString(kernel) + " with the given pads, strides and dilations");
    }
  }
  return g;
}

}  // namespace edgerun
