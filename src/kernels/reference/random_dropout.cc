// Dropout reference kernel (opsets 7..22).
// Inference (opset < 12, or training_mode absent/false, or ratio 0): y aliases x and the mask is
// all true (opset 7..9: a mask of T ones). Training: mask = uniform[0,1) >= ratio and
// y = x * mask / (1 - ratio), with uniforms from LegacyRandom (numpy-compatible for a seed).
#include <string>
#include <type_traits>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/random_generator.h"
#include "kernels/reference/random_kernels.h"

namespace edgerun {
namespace {

struct DropoutAttrs {
  int opset = 0;
  SeedSpec seed;
  std::string where;
};

// Writes an all-ones mask of `dt` (bool from opset 10, T before).
Status WriteOnesMask(const Tensor& x, DataType dt, KernelContext& ctx) {
  Tensor* m;
  EDGERUN_ASSIGN_OR_RETURN(m, ctx.AllocateOutput(1, dt, x.shape()));
  if (dt == DataType::kBool) {
    for (int64_t i = 0; i < m->numel(); ++i) m->data<bool>()[i] = true;
    return Status::Ok();
  }
  return DispatchNumeric(dt, "Dropout mask", [&]<typename T>() -> Status {
    for (int64_t i = 0; i < m->numel(); ++i) m->data<T>()[i] = static_cast<T>(1.0f);
    return Status::Ok();
  });
}

Status RunDropout(const DropoutAttrs& a, KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  bool training = false;
  double ratio = 0.5;
  if (a.opset >= 12) {
    if (ctx.has_input(2)) {
      const Tensor& t = ctx.input(2);
      if (t.dtype() != DataType::kBool || t.numel() != 1) {
        return InvalidArgument(a.where + ": training_mode must be a bool scalar");
      }
      training = t.data<bool>()[0];
    }
    if (ctx.has_input(1)) {
      const Tensor& r = ctx.input(1);
      if (r.numel() != 1) return InvalidArgument(a.where + ": ratio must be a scalar");
      EDGERUN_ASSIGN_OR_RETURN(ratio, ReadScalarAsDouble(r, "Dropout ratio"));
    }
  }
  if (!training || ratio == 0.0) {
    ctx.SetOutput(0, x);
    if (ctx.output_wanted(1)) {
      return WriteOnesMask(x, a.opset >= 10 ? DataType::kBool : x.dtype(), ctx);
    }
    return Status::Ok();
  }
  if (!(ratio >= 0.0 && ratio <= 1.0)) {
    return InvalidArgument(a.where + ": ratio " + std::to_string(ratio) + " is outside [0, 1]");
  }
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), x.shape()));
  bool* mask = nullptr;
  if (ctx.output_wanted(1)) {
    Tensor* m;
    EDGERUN_ASSIGN_OR_RETURN(m, ctx.AllocateOutput(1, DataType::kBool, x.shape()));
    mask = m->data<bool>();
  }
  LegacyRandom gen = a.seed.MakeGenerator();
  return DispatchFloat(x.dtype(), "Dropout", [&]<typename T>() -> Status {
    using C = std::conditional_t<std::is_same_v<T, double>, double, float>;
    const C scale = ratio < 1.0 ? C(1) / (C(1) - static_cast<C>(ratio)) : C(0);
    const T* xp = x.data<T>();
    T* yp = y->data<T>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      bool keep = gen.NextDouble() >= ratio;
      if (mask) mask[i] = keep;
      yp[i] = static_cast<T>(static_cast<C>(xp[i]) * C(keep ? 1 : 0) * scale);  // numpy: x * mask * scale
    }
    return Status::Ok();
  });
}

}  // namespace

Result<std::unique_ptr<Kernel>> CreateDropout(const KernelCreateContext& c) {
  DropoutAttrs a;
  a.opset = c.opset;
  a.where = c.node.Describe();
  a.seed = SeedSpec::FromNode(c.node);
  if (c.opset < 12) {
    float r = c.node.GetFloat("ratio", 0.5f);
    if (!(r >= 0.f && r <= 1.f)) return InvalidArgument(a.where + ": ratio must be in [0, 1]");
  }
  return MakeFnKernel([a](KernelContext& ctx) { return RunDropout(a, ctx); });
}

}  // namespace edgerun
