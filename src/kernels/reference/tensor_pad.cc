// Reference kernels that pad or crop along axes: Pad (constant/reflect/edge/wrap; pads as an
// attribute before opset 11 and as inputs after, axes input at 18) and CenterCropPad.
// Both map every output coordinate of every axis to a source coordinate (or to the fill value)
// and then copy row by row. Thread-safety: kernels are immutable after creation; Run is const.
#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/tensor_util.h"

namespace edgerun {
namespace {

// Per axis, the source coordinate of each output coordinate, or -1 for the fill value.
using SourceTables = std::vector<Dims>;

template <typename T>
void CopyPadded(const T* in, const Shape& in_shape, const SourceTables& src, const T& fill, T* out) {
  const size_t r = in_shape.size();
  if (r == 0) {
    out[0] = in[0];
    return;
  }
  Shape out_shape(r);
  for (size_t k = 0; k < r; ++k) out_shape[k] = static_cast<int64_t>(src[k].size());
  const int64_t n = ShapeSize(out_shape);
  if (n == 0) return;
  const Dims strides = ContiguousStrides(in_shape);
  const Dims& last = src[r - 1];
  const int64_t row = out_shape[r - 1];
  Dims pos(r, 0);
  for (int64_t o = 0; o < n; o += row) {
    int64_t base = 0;
    bool filled = false;
    for (size_t k = 0; k + 1 < r; ++k) {
      const int64_t s = src[k][static_cast<size_t>(pos[k])];
      if (s < 0) filled = true;
      base += s * strides[k];
    }
    T* dst = out + o;
    if (filled) {
      std::fill(dst, dst + row, fill);
    } else {
      for (int64_t j = 0; j < row; ++j) dst[j] = last[static_cast<size_t>(j)] < 0 ? fill : in[base + last[static_cast<size_t>(j)]];
    }
    for (size_t k = r - 1; k-- > 0;) {
      if (++pos[k] < out_shape[k]) break;
      pos[k] = 0;
    }
  }
}

// Copies x into output 0 through `src`, filling with element 0 of `fill` (a tensor of x's type).
Status RunPadded(KernelContext& ctx, const Tensor& x, const SourceTables& src, const Tensor& fill, const char* what) {
  Shape out_shape(src.size());
  for (size_t k = 0; k < src.size(); ++k) out_shape[k] = static_cast<int64_t>(src[k].size());
  EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), out_shape));
  return DispatchBySize(x.dtype(), what, [&]<typename T>() -> Status {
    CopyPadded(x.data<T>(), x.shape(), src, fill.data<T>()[0], out->data<T>());
    return Status::Ok();
  });
}

enum class PadMode { kConstant, kReflect, kEdge, kWrap };

// Source table of one axis of size `dim` padded by `begin` and `end` (negative values crop).
Result<Dims> PadTable(int64_t dim, int64_t begin, int64_t end, PadMode mode) {
  const int64_t crop_begin = std::max<int64_t>(-begin, 0), crop_end = std::max<int64_t>(-end, 0);
  const int64_t kept = dim - crop_begin - crop_end;
  if (kept < 0) {
    return InvalidArgument("pads " + std::to_string(begin) + ", " + std::to_string(end) + " crop more than dimension " +
                           std::to_string(dim));
  }
  const int64_t pad_begin = std::max<int64_t>(begin, 0), pad_end = std::max<int64_t>(end, 0);
  const int64_t out_dim = kept + pad_begin + pad_end;
  if (mode != PadMode::kConstant && kept == 0 && out_dim > 0) {
    return InvalidArgument("cannot pad an empty dimension in reflect, edge or wrap mode");
  }
  if (out_dim > (int64_t{1} << 40)) return InvalidArgument("padded dimension " + std::to_string(out_dim) + " is too large");
  Dims table(static_cast<size_t>(out_dim));
  for (int64_t o = 0; o < out_dim; ++o) {
    int64_t i = o - pad_begin;
    if (i < 0 || i >= kept) {
      switch (mode) {
        case PadMode::kConstant: table[static_cast<size_t>(o)] = -1; continue;
        case PadMode::kEdge: i = std::clamp<int64_t>(i, 0, kept - 1); break;
        case PadMode::kWrap: i = ((i % kept) + kept) % kept; break;
        case PadMode::kReflect:
          if (kept == 1) {
            i = 0;
          } else {
            const int64_t period = 2 * (kept - 1);
            i = ((i % period) + period) % period;
            if (i >= kept) i = period - i;
          }
          break;
      }
    }
    table[static_cast<size_t>(o)] = crop_begin + i;
  }
  return table;
}

Result<std::unique_ptr<Kernel>> MakePad(const KernelCreateContext& cc) {
  const int opset = cc.opset;
  const std::string mode_s = cc.node.GetString("mode", "constant");
  PadMode mode;
  if (mode_s == "constant") {
    mode = PadMode::kConstant;
  } else if (mode_s == "reflect") {
    mode = PadMode::kReflect;
  } else if (mode_s == "edge") {
    mode = PadMode::kEdge;
  } else if (mode_s == "wrap") {
    mode = PadMode::kWrap;
  } else {
    return InvalidArgument(cc.node.Describe() + ": unknown mode '" + mode_s + "'");
  }
  const Dims pads_attr = cc.node.GetInts("pads");
  const float value_attr = cc.node.GetFloat("value", 0.0f);
  if (opset < 11 && !cc.node.HasAttribute("pads")) {
    return InvalidArgument(cc.node.Describe() + ": attribute 'pads' is required");
  }
  return MakeFnKernel([=](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    const int64_t r = x.rank();
    Dims pads = pads_attr;
    Dims axes;
    bool has_axes = false;
    if (opset >= 11) {
      if (!ctx.has_input(1)) return InvalidArgument("input 'pads' is required");
      EDGERUN_ASSIGN_OR_RETURN(pads, ReadInt64Vector(ctx.input(1), "pads"));
      if (ctx.has_input(3)) {
        has_axes = true;
        EDGERUN_ASSIGN_OR_RETURN(axes, ReadInt64Vector(ctx.input(3), "axes"));
        EDGERUN_ASSIGN_OR_RETURN(axes, NormalizeAxes(axes, r, "axis"));
      }
    }
    if (!has_axes) {
      for (int64_t a = 0; a < r; ++a) axes.push_back(a);
    }
    const size_t na = axes.size();
    if (pads.size() != 2 * na) {
      return InvalidArgument("pads has " + std::to_string(pads.size()) + " entries, expected " + std::to_string(2 * na));
    }
    Dims begin(static_cast<size_t>(r), 0), end(static_cast<size_t>(r), 0);
    for (size_t i = 0; i < na; ++i) {
      begin[static_cast<size_t>(axes[i])] = pads[i];
      end[static_cast<size_t>(axes[i])] = pads[na + i];
    }
    SourceTables src(static_cast<size_t>(r));
    for (size_t k = 0; k < src.size(); ++k) {
      EDGERUN_ASSIGN_OR_RETURN(src[k], PadTable(x.shape()[k], begin[k], end[k], mode));
    }
    // The fill value as a scalar of x's type.
    Tensor fill;
    if (opset >= 11 && ctx.has_input(2) && ctx.input(2).numel() > 0) {
      fill = ctx.input(2);
      if (fill.dtype() != x.dtype()) {
        return InvalidArgument(std::string("constant_value has type ") + DataTypeName(fill.dtype()) + ", data has " +
                               DataTypeName(x.dtype()));
      }
    } else {
      EDGERUN_ASSIGN_OR_RETURN(fill, Tensor::Create(x.dtype(), {}));
      if (opset < 11 && value_attr != 0.0f) {
        EDGERUN_RETURN_IF_ERROR(DispatchNumeric(x.dtype(), "Pad", [&]<typename T>() -> Status {
          fill.data<T>()[0] = static_cast<T>(value_attr);
          return Status::Ok();
        }));
      }
    }
    return RunPadded(ctx, x, src, fill, "Pad");
  });
}

Result<std::unique_ptr<Kernel>> MakeCenterCropPad(const KernelCreateContext& cc) {
  const bool has_axes = cc.node.HasAttribute("axes");
  const Dims axes_attr = cc.node.GetInts("axes");
  return MakeFnKernel([=](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    const int64_t r = x.rank();
    EDGERUN_ASSIGN_OR_RETURN(Dims shape, ReadInt64Vector(ctx.input(1), "shape"));
    Dims axes = axes_attr;
    if (has_axes) {
      EDGERUN_ASSIGN_OR_RETURN(axes, NormalizeAxes(axes, r, "axis"));
    } else {
      axes.clear();
      for (int64_t a = 0; a < r; ++a) axes.push_back(a);
    }
    if (shape.size() != axes.size()) {
      return InvalidArgument("shape has " + std::to_string(shape.size()) + " entries for " + std::to_string(axes.size()) +
                             " axes");
    }
    SourceTables src(static_cast<size_t>(r));
    for (size_t k = 0; k < src.size(); ++k) {
      src[k].resize(static_cast<size_t>(x.shape()[k]));
      for (size_t i = 0; i < src[k].size(); ++i) src[k][i] = static_cast<int64_t>(i);
    }
    for (size_t i = 0; i < axes.size(); ++i) {
      const size_t a = static_cast<size_t>(axes[i]);
      const int64_t dim = x.shape()[a], target = shape[i];
      if (target < 0) return InvalidArgument("shape " + ShapeToString(shape) + " has a negative entry");
      if (target > (int64_t{1} << 40)) return InvalidArgument("shape " + ShapeToString(shape) + " is too large");
      const int64_t offset = target < dim ? (dim - target) / 2 : -((target - dim) / 2);
      src[a].resize(static_cast<size_t>(target));
      for (int64_t o = 0; o < target; ++o) {
        const int64_t s = o + offset;
        src[a][static_cast<size_t>(o)] = s >= 0 && s < dim ? s : -1;
      }
    }
    EDGERUN_ASSIGN_OR_RETURN(Tensor fill, Tensor::Create(x.dtype(), {}));
    return RunPadded(ctx, x, src, fill, "CenterCropPad");
  });
}

}  // namespace

void RegisterTensorPadKernels(KernelRegistry& r) {
  r.Register("Pad", MakePad);
  r.Register("CenterCropPad", MakeCenterCropPad);
}

}  // namespace edgerun
