// Reference kernel for Slice: starts/ends/axes as attributes before opset 10, and
// starts/ends/axes/steps as inputs from opset 10, with ONNX's clamping rules and negative steps.
// Thread-safety: kernels are immutable after creation; Run is const.
#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/tensor_util.h"

namespace edgerun {
namespace {

struct SliceArgs {
  Dims starts, ends, axes, steps;
  bool has_axes = false;
  bool has_steps = false;
};

Status SliceTensor(KernelContext& ctx, const Tensor& x, const SliceArgs& a) {
  const size_t n = a.starts.size();
  if (a.ends.size() != n || (a.has_axes && a.axes.size() != n) || (a.has_steps && a.steps.size() != n)) {
    return InvalidArgument("starts, ends, axes and steps must have the same length (got " + std::to_string(n) + ", " +
                           std::to_string(a.ends.size()) + ", " + std::to_string(a.axes.size()) + ", " +
                           std::to_string(a.steps.size()) + ")");
  }
  Dims axes = a.axes;
  if (!a.has_axes) {
    axes.resize(n);
    for (size_t i = 0; i < n; ++i) axes[i] = static_cast<int64_t>(i);
  }
  EDGERUN_ASSIGN_OR_RETURN(axes, NormalizeAxes(axes, x.rank(), "axis"));
  const Shape& in_shape = x.shape();
  const Dims in_strides = ContiguousStrides(in_shape);
  Shape out_shape = in_shape;
  Dims strides = in_strides;
  int64_t base = 0;
  for (size_t i = 0; i < n; ++i) {
    const size_t ax = static_cast<size_t>(axes[i]);
    const int64_t dim = in_shape[ax];
    int64_t step = a.has_steps ? a.steps[i] : 1;
    if (step == 0) return InvalidArgument("step for axis " + std::to_string(ax) + " is zero");
    // A step longer than the axis selects at most one element; bounding it avoids overflow.
    step = std::clamp<int64_t>(step, -std::max<int64_t>(dim, 1), std::max<int64_t>(dim, 1));
    int64_t start = a.starts[i], end = a.ends[i];
    if (start < 0) start += dim;
    if (end < 0) end += dim;
    int64_t count = 0;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      if (end > start) count = (end - start - 1) / step + 1;
    } else {
      start = std::clamp<int64_t>(start, -1, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      if (start > end) count = (start - end - 1) / (-step) + 1;
    }
    out_shape[ax] = count;
    if (count > 0) base += start * in_strides[ax];
    strides[ax] = in_strides[ax] * step;
  }
  EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), out_shape));
  if (out->numel() == 0) return Status::Ok();
  return DispatchBySize(x.dtype(), "Slice", [&]<typename T>() -> Status {
    StridedCopy(x.data<T>() + base, out_shape, strides, out->data<T>());
    return Status::Ok();
  });
}

Result<std::unique_ptr<Kernel>> MakeSlice(const KernelCreateContext& cc) {
  if (cc.opset < 10) {
    SliceArgs args;
    args.starts = cc.node.GetInts("starts");
    args.ends = cc.node.GetInts("ends");
    args.has_axes = cc.node.HasAttribute("axes");
    args.axes = cc.node.GetInts("axes");
    if (!cc.node.HasAttribute("starts") || !cc.node.HasAttribute("ends")) {
      return InvalidArgument(cc.node.Describe() + ": attributes 'starts' and 'ends' are required");
    }
    return MakeFnKernel([args](KernelContext& ctx) -> Status { return SliceTensor(ctx, ctx.input(0), args); });
  }
  return MakeFnKernel([](KernelContext& ctx) -> Status {
    if (!ctx.has_input(1) || !ctx.has_input(2)) return InvalidArgument("inputs 'starts' and 'ends' are required");
    SliceArgs args;
    EDGERUN_ASSIGN_OR_RETURN(args.starts, ReadInt64Vector(ctx.input(1), "starts"));
    EDGERUN_ASSIGN_OR_RETURN(args.ends, ReadInt64Vector(ctx.input(2), "ends"));
    if (ctx.has_input(3)) {
      args.has_axes = true;
      EDGERUN_ASSIGN_OR_RETURN(args.axes, ReadInt64Vector(ctx.input(3), "axes"));
    }
    if (ctx.has_input(4)) {
      args.has_steps = true;
      EDGERUN_ASSIGN_OR_RETURN(args.steps, ReadInt64Vector(ctx.input(4), "steps"));
    }
    return SliceTensor(ctx, ctx.input(0), args);
  });
}

}  // namespace

void RegisterTensorSliceKernels(KernelRegistry& r) { r.Register("Slice", MakeSlice); }

}  // namespace edgerun
