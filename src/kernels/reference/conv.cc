// Reference Conv: N-D convolution with groups, strides, dilations, pads and auto_pad, computed as
// im2col + a blocked GEMM per (batch, group). float16/bfloat16 compute in float.
// Thread-safety: the kernel is immutable after creation; Run keeps its state on the stack.
#include <memory>
#include <utility>
#include <vector>

#include "kernels/reference/conv.h"
#include "kernels/reference/conv_geometry.h"
#include "kernels/reference/conv_im2col.h"
#include "kernels/reference/conv_util.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/scratch.h"

namespace edgerun {
namespace {

struct ConvProblem {
  int64_t batch = 0, channels = 0, maps = 0, group = 1;
  WindowGeometry geom;
};

template <typename T>
Status ConvTyped(const ConvProblem& p, const Tensor& x, const Tensor& w, const Tensor* bias, Tensor* y) {
  using Acc = NnComputeType<T>;
  std::vector<Acc> x_store, w_store, b_store, y_store;
  const Acc* xp = AsCompute<T, Acc>(x, x_store);
  const Acc* wp = AsCompute<T, Acc>(w, w_store);
  const Acc* bp = bias ? AsCompute<T, Acc>(*bias, b_store) : nullptr;
  Acc* yp = OutputAsCompute<T, Acc>(y, y_store);
  const WindowGeometry& g = p.geom;
  const int64_t cg = p.channels / p.group;
  const int64_t mg = p.maps / p.group;
  const int64_t kg = cg * g.KernelSize();
  const int64_t in_size = g.InSize();
  const int64_t out_size = g.OutSize();
  bool direct = g.KernelSize() == 1;
  for (size_t d = 0; d < g.rank(); ++d) {
    direct = direct && g.strides[d] == 1 && g.pad_begin[d] == 0 && g.pad_end[d] == 0;
  }
  Acc* col = nullptr;  // im2col of one group of one image
  if (!direct) {
    EDGERUN_RETURN_IF_ERROR(CheckShapeAllocatable(DataTypeOf<Acc>::value, {kg, out_size}));
    col = ThreadScratch<Acc>(static_cast<size_t>(kg * out_size));
  }
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t grp = 0; grp < p.group; ++grp) {
      const Acc* xg = xp + (n * p.channels + grp * cg) * in_size;
      const Acc* colp = xg;
      if (!direct) {
        Im2Col(xg, cg, g, col);
        colp = col;
      }
      Acc* yg = yp + (n * p.maps + grp * mg) * out_size;
      for (int64_t m = 0; m < mg; ++m) {
        const Acc b = bp ? bp[grp * mg + m] : Acc(0);
        std::fill(yg + m * out_size, yg + (m + 1) * out_size, b);
      }
      ConvGemmAcc(mg, out_size, kg, wp + grp * mg * kg, kg, 1, colp, out_size, yg, out_size);
    }
  }
  if constexpr (!std::is_same_v<T, Acc>) StoreFromCompute(yp, y->numel(), y->data<T>());
  return Status::Ok();
}

class ConvKernel final : public Kernel {
 public:
  ConvKernel(WindowAttrs attrs, int64_t group) : attrs_(std::move(attrs)), group_(group) {}

  Status Run(KernelContext& ctx) const override {
    if (!ctx.has_input(0) || !ctx.has_input(1)) return InvalidArgument("Conv needs inputs X and W");
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    if (x.rank() < 3) return InvalidArgument("X must have rank >= 3 (N, C, spatial...), got shape " + ShapeToString(x.shape()));
    if (w.rank() != x.rank()) {
      return InvalidArgument("W shape " + ShapeToString(w.shape()) + " does not match the rank of X shape " +
                             ShapeToString(x.shape()));
    }
    if (w.dtype() != x.dtype()) return InvalidArgument("W dtype differs from X dtype");
    ConvProblem p;
    p.batch = x.dim(0);
    p.channels = x.dim(1);
    p.maps = w.dim(0);
    p.group = group_;
    if (p.channels != w.dim(1) * group_ || p.maps % group_ != 0) {
      return InvalidArgument("X shape " + ShapeToString(x.shape()) + " and W shape " + ShapeToString(w.shape()) +
                             " do not agree with group " + std::to_string(group_));
    }
    Shape kernel(w.shape().begin() + 2, w.shape().end());
    if (!attrs_.kernel_shape.empty() && attrs_.kernel_shape != kernel) {
      return InvalidArgument("kernel_shape " + ShapeToString(attrs_.kernel_shape) + " does not match W shape " +
                             ShapeToString(w.shape()));
    }
    const Tensor* bias = nullptr;
    if (ctx.has_input(2)) {
      bias = &ctx.input(2);
      if (bias->rank() != 1 || bias->dim(0) != p.maps || bias->dtype() != x.dtype()) {
        return InvalidArgument("B must be a 1-D tensor of " + std::to_string(p.maps) + " values of X's dtype, got " +
                               ShapeToString(bias->shape()));
      }
    }
    EDGERUN_ASSIGN_OR_RETURN(p.geom, ForwardGeometry(attrs_, Shape(x.shape().begin() + 2, x.shape().end()), kernel));
    Shape y_shape = {p.batch, p.maps};
    y_shape.insert(y_shape.end(), p.geom.out.begin(), p.geom.out.end());
    Tensor* y;
    EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), y_shape));
    return DispatchFloat(x.dtype(), "Conv",
                         [&]<typename T>() -> Status { return ConvTyped<T>(p, x, w, bias, y); });
  }

 private:
  WindowAttrs attrs_;
  int64_t group_;
};

}  // namespace

void RegisterConvKernel(KernelRegistry& r) {
  r.Register("Conv", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    WindowAttrs attrs;
    EDGERUN_ASSIGN_OR_RETURN(attrs, ParseWindowAttrs(kc.node));
    int64_t group = kc.node.GetInt("group", 1);
    if (group < 1) return InvalidArgument(kc.node.Describe() + ": group must be positive, got " + std::to_string(group));
    return std::unique_ptr<Kernel>(std::make_unique<ConvKernel>(std::move(attrs), group));
  });
}

}  // namespace edgerun
