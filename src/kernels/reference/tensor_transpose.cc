// Reference kernels that permute elements: Transpose, DepthToSpace, SpaceToDepth (the latter two
// are a reshape to 6-D, a transpose and a reshape back). Thread-safety: kernels are immutable
// after creation; Run is const.
#include "kernels/reference/dispatch.h"
#include "kernels/reference/tensor_util.h"

namespace edgerun {
namespace {

// Transposes x (viewed as `view_shape`) by `perm` into output 0 with shape `out_shape`.
Status PermuteToOutput(KernelContext& ctx, const Tensor& x, const Shape& view_shape, const Dims& perm,
                       const Shape& out_shape, const char* what) {
  EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(0, x.dtype(), out_shape));
  return DispatchBySize(x.dtype(), what, [&]<typename T>() -> Status {
    PermuteCopy(x.data<T>(), view_shape, perm, out->data<T>());
    return Status::Ok();
  });
}

Result<std::unique_ptr<Kernel>> MakeTranspose(const KernelCreateContext& cc) {
  const bool has_perm = cc.node.HasAttribute("perm");
  const Dims perm_attr = cc.node.GetInts("perm");
  {
    std::vector<bool> seen(perm_attr.size(), false);
    for (int64_t p : perm_attr) {
      if (p < 0 || p >= static_cast<int64_t>(perm_attr.size()) || seen[static_cast<size_t>(p)]) {
        return InvalidArgument(cc.node.Describe() + ": attribute 'perm' is not a permutation");
      }
      seen[static_cast<size_t>(p)] = true;
    }
  }
  return MakeFnKernel([=](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    Dims perm = perm_attr;
    if (!has_perm) {
      perm.resize(x.shape().size());
      for (size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int64_t>(perm.size() - 1 - i);
    } else if (static_cast<int64_t>(perm.size()) != x.rank()) {
      return InvalidArgument("perm has " + std::to_string(perm.size()) + " entries but the input has rank " +
                             std::to_string(x.rank()));
    }
    Shape out_shape(perm.size());
    for (size_t i = 0; i < perm.size(); ++i) out_shape[i] = x.shape()[static_cast<size_t>(perm[i])];
    return PermuteToOutput(ctx, x, x.shape(), perm, out_shape, "Transpose");
  });
}

Result<int64_t> ReadBlockSize(const ir::Node& node) {
  if (!node.HasAttribute("blocksize")) return InvalidArgument(node.Describe() + ": attribute 'blocksize' is required");
  int64_t b = node.GetInt("blocksize", 0);
  if (b <= 0) return InvalidArgument(node.Describe() + ": attribute 'blocksize' must be positive, got " + std::to_string(b));
  return b;
}

Result<std::unique_ptr<Kernel>> MakeDepthToSpace(const KernelCreateContext& cc) {
  EDGERUN_ASSIGN_OR_RETURN(int64_t b, ReadBlockSize(cc.node));
  const std::string mode = cc.node.GetString("mode", "DCR");
  if (mode != "DCR" && mode != "CRD") {
    return InvalidArgument(cc.node.Describe() + ": attribute 'mode' must be DCR or CRD, got '" + mode + "'");
  }
  const bool dcr = mode == "DCR";
  return MakeFnKernel([=](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    if (x.rank() != 4) return InvalidArgument("input must be 4-D, got shape " + ShapeToString(x.shape()));
    const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
    if (c % (b * b) != 0) {
      return InvalidArgument("channels " + std::to_string(c) + " are not divisible by blocksize^2 " + std::to_string(b * b));
    }
    const int64_t oc = c / (b * b);
    Shape view = dcr ? Shape{n, b, b, oc, h, w} : Shape{n, oc, b, b, h, w};
    Dims perm = dcr ? Dims{0, 3, 4, 1, 5, 2} : Dims{0, 1, 4, 2, 5, 3};
    return PermuteToOutput(ctx, x, view, perm, {n, oc, h * b, w * b}, "DepthToSpace");
  });
}

Result<std::unique_ptr<Kernel>> MakeSpaceToDepth(const KernelCreateContext& cc) {
  EDGERUN_ASSIGN_OR_RETURN(int64_t b, ReadBlockSize(cc.node));
  return MakeFnKernel([=](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    if (x.rank() != 4) return InvalidArgument("input must be 4-D, got shape " + ShapeToString(x.shape()));
    const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
    if (h % b != 0 || w % b != 0) {
      return InvalidArgument("spatial size " + std::to_string(h) + "x" + std::to_string(w) +
                             " is not divisible by blocksize " + std::to_string(b));
    }
    Shape view = {n, c, h / b, b, w / b, b};
    return PermuteToOutput(ctx, x, view, {0, 3, 5, 1, 2, 4}, {n, c * b * b, h / b, w / b}, "SpaceToDepth");
  });
}

}  // namespace

void RegisterTensorTransposeKernels(KernelRegistry& r) {
  r.Register("Transpose", MakeTranspose);
  r.Register("DepthToSpace", MakeDepthToSpace);
  r.Register("SpaceToDepth", MakeSpaceToDepth);
}

}  // namespace edgerun
