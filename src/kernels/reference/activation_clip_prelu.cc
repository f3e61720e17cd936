// Clip and PRelu reference kernels.
// Clip: bounds are the min/max attributes before opset 11 and optional scalar inputs from opset
// 11 (a missing bound does not clip); when min > max every value becomes max.
// PRelu: slope broadcasts unidirectionally to X (opset >= 7); opset < 7 models may give a 1-D
// per-channel slope, applied along axis 1.
// Thread-safety: kernels are const and stateless.
#include <limits>

#include "kernels/reference/elementwise_common.h"

namespace edgerun::elementwise {
namespace {

struct ClipAttrs {
  bool bounds_are_inputs = true;
  bool has_min = false;
  bool has_max = false;
  float min = 0;
  float max = 0;
};

template <typename T>
Status ReadClipBound(const KernelContext& ctx, size_t i, const char* what, ComputeType<T>* bound) {
  const Tensor& t = ctx.input(i);
  if (t.dtype() != ctx.input(0).dtype()) {
    return InvalidArgument(std::string(what) + " has dtype " + DataTypeName(t.dtype()) + ", expected " +
                           DataTypeName(ctx.input(0).dtype()));
  }
  if (t.numel() != 1) {
    return InvalidArgument(std::string(what) + " must be a scalar, got shape " + ShapeToString(t.shape()));
  }
  *bound = static_cast<ComputeType<T>>(t.data<T>()[0]);
  return Status::Ok();
}

Status RunClip(KernelContext& ctx, const ClipAttrs& attrs) {
  const Tensor& x = ctx.input(0);
  return DispatchTypeSet<TypeSet::kNumeric>(x.dtype(), "Clip", [&]<typename T>() -> Status {
    using C = ComputeType<T>;
    C lo = std::numeric_limits<C>::has_infinity ? -std::numeric_limits<C>::infinity() : std::numeric_limits<C>::lowest();
    C hi = std::numeric_limits<C>::has_infinity ? std::numeric_limits<C>::infinity() : std::numeric_limits<C>::max();
    if (attrs.bounds_are_inputs) {
      if (ctx.has_input(1)) EDGERUN_RETURN_IF_ERROR(ReadClipBound<T>(ctx, 1, "min", &lo));
      if (ctx.has_input(2)) EDGERUN_RETURN_IF_ERROR(ReadClipBound<T>(ctx, 2, "max", &hi));
    } else {
      if (attrs.has_min) lo = SaturateCast<C>(attrs.min);
      if (attrs.has_max) hi = SaturateCast<C>(attrs.max);
    }
    EDGERUN_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x.dtype(), x.shape()));
    const T* px = x.data<T>();
    T* py = y->data<T>();
    for (int64_t i = 0, n = x.numel(); i < n; ++i) {
      C v = static_cast<C>(px[i]);
      v = v < lo ? lo : v;
      v = v > hi ? hi : v;
      py[i] = static_cast<T>(v);
    }
    return Status::Ok();
  });
}

Status RunPRelu(KernelContext& ctx, bool legacy) {
  EDGERUN_RETURN_IF_ERROR(CheckSameDTypes(ctx, 0, 2));
  const Tensor& x = ctx.input(0);
  const Tensor& slope = ctx.input(1);
  Shape ss = slope.shape();
  if (legacy && ss.size() == 1 && x.rank() >= 2 && ss[0] == x.dim(1) && ss[0] != 1) {
    ss.resize(static_cast<size_t>(x.rank()) - 1, 1);
  }
  EDGERUN_ASSIGN_OR_RETURN(Shape os, BroadcastShapes({x.shape(), ss}));
  if (os != x.shape()) {
    return InvalidArgument("slope of shape " + ShapeToString(slope.shape()) + " does not broadcast to X of shape " +
                           ShapeToString(x.shape()));
  }
  return DispatchTypeSet<TypeSet::kNumeric>(x.dtype(), "PRelu", [&]<typename T>() -> Status {
    using C = ComputeType<T>;
    EDGERUN_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x.dtype(), os));
    BinaryMap(x.data<T>(), x.shape(), slope.data<T>(), ss, y->data<T>(), os, [](T xv, T sv) {
      const C a = static_cast<C>(xv);
      return static_cast<T>(a < C(0) ? WrapMul(static_cast<C>(sv), a) : a);
    });
    return Status::Ok();
  });
}

}  // namespace

void RegisterClipPReluKernels(KernelRegistry& r) {
  r.Register("Clip", [](const KernelCreateContext& c) -> Result<std::unique_ptr<Kernel>> {
    ClipAttrs attrs;
    attrs.bounds_are_inputs = c.opset >= 11;
    if (attrs.bounds_are_inputs) {
      EDGERUN_RETURN_IF_ERROR(CheckInputCount(c.node, 1, 3));
    } else {
      EDGERUN_RETURN_IF_ERROR(CheckInputCount(c.node, 1, 1));
      attrs.has_min = c.node.HasAttribute("min");
      attrs.has_max = c.node.HasAttribute("max");
      attrs.min = c.node.GetFloat("min", 0);
      attrs.max = c.node.GetFloat("max", 0);
    }
    return MakeFnKernel([attrs](KernelContext& ctx) { return RunClip(ctx, attrs); });
  });
  r.Register("PRelu", [](const KernelCreateContext& c) -> Result<std::unique_ptr<Kernel>> {
    EDGERUN_RETURN_IF_ERROR(CheckInputCount(c.node, 2, 2));
    const bool legacy = c.opset < 7;
    return MakeFnKernel([legacy](KernelContext& ctx) { return RunPRelu(ctx, legacy); });
  });
}

}  // namespace edgerun::elementwise
