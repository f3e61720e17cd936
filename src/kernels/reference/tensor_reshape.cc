// Reference kernels that only change a tensor's shape and alias its storage: Reshape, Flatten,
// Squeeze, Unsqueeze. Thread-safety: kernels are immutable after creation; Run is const.
#include "kernels/reference/broadcast.h"
#include "kernels/reference/tensor_util.h"

namespace edgerun {
namespace {

// Output shape of Reshape(in -> requested): 0 copies the input dim (unless allowzero), one -1
// is inferred.
// Writes into `out` (reusing its capacity: no allocation in steady state).
Status ReshapeTarget(const Shape& in, const Dims& requested, bool allowzero, Shape& out) {
  const int64_t numel = ShapeSize(in);
  out.resize(requested.size());
  int64_t infer_at = -1;
  int64_t known = 1;
  for (size_t i = 0; i < requested.size(); ++i) {
    int64_t d = requested[i];
    if (d == -1) {
      if (infer_at >= 0) return InvalidArgument("shape " + ShapeToString(requested) + " has more than one -1");
      infer_at = static_cast<int64_t>(i);
      continue;
    }
    if (d < -1) return InvalidArgument("shape " + ShapeToString(requested) + " has an invalid dimension " + std::to_string(d));
    if (d == 0 && !allowzero) {
      if (i >= in.size()) {
        return InvalidArgument("shape " + ShapeToString(requested) + " copies dimension " + std::to_string(i) +
                               " (0) which input shape " + ShapeToString(in) + " does not have");
      }
      d = in[i];
    }
    out[i] = d;
    if (d != 0 && known > (int64_t{1} << 62) / d) return InvalidArgument("shape " + ShapeToString(requested) + " is too large");
    known *= d;
  }
  if (infer_at >= 0) {
    if (known == 0) {
      if (allowzero) return InvalidArgument("shape " + ShapeToString(requested) + " has both 0 and -1 with allowzero=1");
      if (numel != 0) {
        return InvalidArgument("cannot infer -1 in shape " + ShapeToString(requested) + " for input shape " +
                               ShapeToString(in));
      }
      out[static_cast<size_t>(infer_at)] = 0;
    } else {
      if (numel % known != 0) {
        return InvalidArgument("cannot reshape input of shape " + ShapeToString(in) + " to " + ShapeToString(requested));
      }
      out[static_cast<size_t>(infer_at)] = numel / known;
    }
  } else if (known != numel) {
    return InvalidArgument("cannot reshape input of shape " + ShapeToString(in) + " (" + std::to_string(numel) +
                           " elements) to " + ShapeToString(out));
  }
  return Status::Ok();
}

Result<std::unique_ptr<Kernel>> MakeReshape(const KernelCreateContext& cc) {
  const bool allowzero = cc.node.GetInt("allowzero", 0) != 0;
  const bool attr_shape = cc.node.HasAttribute("shape");  // opset < 5
  const Dims shape_attr = cc.node.GetInts("shape");
  if (!attr_shape && !cc.node.HasInput(1)) return InvalidArgument(cc.node.Describe() + ": shape input is missing");
  return MakeFnKernel([=](KernelContext& ctx) -> Status {
    // Per-thread scratch: steady-state runs reuse it instead of allocating.
    thread_local Dims requested;
    thread_local Shape out;
    if (ctx.has_input(1) && ctx.input(1).dtype() == DataType::kInt64) {
      const Tensor& s = ctx.input(1);
      if (s.rank() != 1) return InvalidArgument("shape must be a 1-D tensor, got shape " + ShapeToString(s.shape()));
      requested.assign(s.data<int64_t>(), s.data<int64_t>() + s.numel());
    } else if (ctx.has_input(1)) {
      EDGERUN_ASSIGN_OR_RETURN(requested, ReadInt64Vector(ctx.input(1), "shape"));
    } else {
      requested = shape_attr;
    }
    const Tensor& x = ctx.input(0);
    EDGERUN_RETURN_IF_ERROR(ReshapeTarget(x.shape(), requested, allowzero, out));
    ctx.SetOutputView(0, x, out);
    return Status::Ok();
  });
}

Result<std::unique_ptr<Kernel>> MakeFlatten(const KernelCreateContext& cc) {
  const int64_t axis_attr = cc.node.GetInt("axis", 1);
  return MakeFnKernel([axis_attr](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    const int64_t r = x.rank();
    if (axis_attr < -r || axis_attr > r) {
      return InvalidArgument("axis " + std::to_string(axis_attr) + " is out of range for rank " + std::to_string(r));
    }
    const size_t axis = static_cast<size_t>(axis_attr < 0 ? axis_attr + r : axis_attr);
    thread_local Shape out;
    out.assign({DimProduct(x.shape(), 0, axis), DimProduct(x.shape(), axis, x.shape().size())});
    ctx.SetOutputView(0, x, out);
    return Status::Ok();
  });
}

Result<std::unique_ptr<Kernel>> MakeSqueeze(const KernelCreateContext& cc) {
  const int opset = cc.opset;
  const bool attr_present = cc.node.HasAttribute("axes");
  const Dims attr_axes = cc.node.GetInts("axes");
  return MakeFnKernel([=](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    bool present = false;
    EDGERUN_ASSIGN_OR_RETURN(Dims axes, AxesFromAttrOrInput(ctx, attr_axes, attr_present, opset, 13, 1, &present));
    Dims drop(x.shape().size(), 0);
    if (present) {
      EDGERUN_ASSIGN_OR_RETURN(axes, NormalizeAxes(axes, x.rank(), "axis", true));
      for (int64_t a : axes) {
        if (x.dim(a) != 1) {
          return InvalidArgument("cannot squeeze axis " + std::to_string(a) + " of shape " + ShapeToString(x.shape()) +
                                 ": its size is not 1");
        }
        drop[static_cast<size_t>(a)] = 1;
      }
    } else {
      for (size_t i = 0; i < drop.size(); ++i) drop[i] = x.shape()[i] == 1;
    }
    Shape out;
    for (size_t i = 0; i < drop.size(); ++i) {
      if (!drop[i]) out.push_back(x.shape()[i]);
    }
    ctx.SetOutputView(0, x, out);
    return Status::Ok();
  });
}

Result<std::unique_ptr<Kernel>> MakeUnsqueeze(const KernelCreateContext& cc) {
  const int opset = cc.opset;
  const bool attr_present = cc.node.HasAttribute("axes");
  const Dims attr_axes = cc.node.GetInts("axes");
  if (opset < 13 && !attr_present) return InvalidArgument(cc.node.Describe() + ": attribute 'axes' is required");
  if (opset >= 13 && !cc.node.HasInput(1)) return InvalidArgument(cc.node.Describe() + ": input 'axes' is required");
  return MakeFnKernel([=](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    bool present = false;
    EDGERUN_ASSIGN_OR_RETURN(Dims axes, AxesFromAttrOrInput(ctx, attr_axes, attr_present, opset, 13, 1, &present));
    const int64_t out_rank = x.rank() + static_cast<int64_t>(axes.size());
    EDGERUN_ASSIGN_OR_RETURN(axes, NormalizeAxes(axes, out_rank, "axis"));
    Dims inserted(static_cast<size_t>(out_rank), 0);
    for (int64_t a : axes) inserted[static_cast<size_t>(a)] = 1;
    Shape out(static_cast<size_t>(out_rank), 1);
    size_t j = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      if (!inserted[i]) out[i] = x.shape()[j++];
    }
    ctx.SetOutputView(0, x, out);
    return Status::Ok();
  });
}

}  // namespace

void RegisterTensorReshapeKernels(KernelRegistry& r) {
  r.Register("Reshape", MakeReshape);
  r.Register("Flatten", MakeFlatten);
  r.Register("Squeeze", MakeSqueeze);
  r.Register("Unsqueeze", MakeUnsqueeze);
}

}  // namespace edgerun
