// Reference ConvTranspose: N-D transposed convolution with groups, strides, dilations, pads,
// auto_pad, output_padding and output_shape. Per (batch, group) it forms columns W^T * X with the
// blocked GEMM and scatter-adds them into the output (col2im). float16/bfloat16 compute in float.
// Thread-safety: the kernel is immutable after creation; Run keeps its state on the stack.
#include <memory>
#include <utility>
#include <vector>

#include "kernels/reference/conv.h"
#include "kernels/reference/conv_geometry.h"
#include "kernels/reference/conv_im2col.h"
#include "kernels/reference/conv_util.h"
#include "kernels/reference/dispatch.h"

namespace edgerun {
namespace {

struct ConvTransposeProblem {
  int64_t batch = 0, channels = 0, maps = 0, group = 1;
  // Scatter geometry: `in` is the output image, `out` the input grid (see Col2ImAdd).
  WindowGeometry geom;
};

template <typename T>
Status ConvTransposeTyped(const ConvTransposeProblem& p, const Tensor& x, const Tensor& w, const Tensor* bias,
                          Tensor* y) {
  using Acc = NnComputeType<T>;
  std::vector<Acc> x_store, w_store, b_store, y_store;
  const Acc* xp = AsCompute<T, Acc>(x, x_store);
  const Acc* wp = AsCompute<T, Acc>(w, w_store);
  const Acc* bp = bias ? AsCompute<T, Acc>(*bias, b_store) : nullptr;
  Acc* yp = OutputAsCompute<T, Acc>(y, y_store);
  const WindowGeometry& g = p.geom;
  const int64_t cg = p.channels / p.group;
  const int64_t mg = p.maps / p.group;
  const int64_t mk = mg * g.KernelSize();  // rows of the column matrix per group
  const int64_t grid = g.OutSize();        // input spatial positions
  const int64_t image = g.InSize();        // output spatial positions
  EDGERUN_RETURN_IF_ERROR(CheckShapeAllocatable(DataTypeOf<Acc>::value, {mk, grid}));
  std::vector<Acc> col(static_cast<size_t>(mk * grid));
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t grp = 0; grp < p.group; ++grp) {
      const Acc* xg = xp + (n * p.channels + grp * cg) * grid;
      const Acc* wg = wp + grp * cg * mk;  // cg x mk, used transposed
      std::fill(col.begin(), col.end(), Acc(0));
      ConvGemmAcc(mk, grid, cg, wg, 1, mk, xg, grid, col.data(), grid);
      Acc* yg = yp + (n * p.maps + grp * mg) * image;
      for (int64_t m = 0; m < mg; ++m) {
        const Acc b = bp ? bp[grp * mg + m] : Acc(0);
        std::fill(yg + m * image, yg + (m + 1) * image, b);
      }
      Col2ImAdd(col.data(), mg, g, yg);
    }
  }
  if constexpr (!std::is_same_v<T, Acc>) StoreFromCompute(yp, y->numel(), y->data<T>());
  return Status::Ok();
}

class ConvTransposeKernel final : public Kernel {
 public:
  ConvTransposeKernel(WindowAttrs attrs, int64_t group, Dims output_padding,
                      Dims output_shape)
      : attrs_(std::move(attrs)),
        group_(group),
        output_padding_(std::move(output_padding)),
        output_shape_(std::move(output_shape)) {}

  Status Run(KernelContext& ctx) const override {
    if (!ctx.has_input(0) || !ctx.has_input(1)) return InvalidArgument("ConvTranspose needs inputs X and W");
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    if (x.rank() < 3) return InvalidArgument("X must have rank >= 3 (N, C, spatial...), got shape " + ShapeToString(x.shape()));
    if (w.rank() != x.rank()) {
      return InvalidArgument("W shape " + ShapeToString(w.shape()) + " does not match the rank of X shape " +
                             ShapeToString(x.shape()));
    }
    if (w.dtype() != x.dtype()) return InvalidArgument("W dtype differs from X dtype");
    ConvTransposeProblem p;
    p.batch = x.dim(0);
    p.channels = x.dim(1);
    p.group = group_;
    p.maps = w.dim(1) * group_;
    if (w.dim(0) != p.channels || p.channels % group_ != 0) {
      return InvalidArgument("X shape " + ShapeToString(x.shape()) + " and W shape " + ShapeToString(w.shape()) +
                             " do not agree with group " + std::to_string(group_));
    }
    const size_t rank = static_cast<size_t>(x.rank() - 2);
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
    WindowGeometry& g = p.geom;
    g.kernel = kernel;
    g.out.assign(x.shape().begin() + 2, x.shape().end());
    EDGERUN_RETURN_IF_ERROR(FillWindowParams(attrs_, rank, &g));
    Dims out_pad = output_padding_.empty() ? Dims(rank, 0) : output_padding_;
    if (out_pad.size() != rank) return InvalidArgument("output_padding does not match the number of spatial dims");
    Dims target;  // requested spatial output shape, if any
    if (!output_shape_.empty()) {
      if (output_shape_.size() == rank) {
        target = output_shape_;
      } else if (output_shape_.size() == rank + 2) {
        target.assign(output_shape_.begin() + 2, output_shape_.end());
      } else {
        return InvalidArgument("output_shape " + ShapeToString(output_shape_) + " does not match the number of spatial dims");
      }
    }
    g.in.assign(rank, 0);
    for (size_t d = 0; d < rank; ++d) {
      const int64_t full = g.strides[d] * (g.out[d] - 1) + out_pad[d] + (g.kernel[d] - 1) * g.dilations[d] + 1;
      bool derive_pads = true;
      int64_t out = 0;
      if (!target.empty()) {
        out = target[d];
      } else if (attrs_.auto_pad == AutoPad::kSameUpper || attrs_.auto_pad == AutoPad::kSameLower) {
        out = g.out[d] * g.strides[d];
      } else if (attrs_.auto_pad == AutoPad::kValid) {
        out = full;
      } else {
        derive_pads = false;
        out = full - g.pad_begin[d] - g.pad_end[d];
      }
      if (derive_pads) {
        const int64_t total = full - out;  // negative when output_shape asks for more than `full`
        const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);  // floor(total / 2)
        g.pad_begin[d] = attrs_.auto_pad == AutoPad::kSameUpper ? half : total - half;
        g.pad_end[d] = total - g.pad_begin[d];
      }
      if (out < 0) return InvalidArgument("ConvTranspose output size would be negative");
      g.in[d] = out;
    }
    Shape y_shape = {p.batch, p.maps};
    y_shape.insert(y_shape.end(), g.in.begin(), g.in.end());
    Tensor* y;
    EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), y_shape));
    return DispatchFloat(x.dtype(), "ConvTranspose",
                         [&]<typename T>() -> Status { return ConvTransposeTyped<T>(p, x, w, bias, y); });
  }

 private:
  WindowAttrs attrs_;
  int64_t group_;
  Dims output_padding_;
  Dims output_shape_;
};

}  // namespace

void RegisterConvTransposeKernel(KernelRegistry& r) {
  r.Register("ConvTranspose", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    WindowAttrs attrs;
    EDGERUN_ASSIGN_OR_RETURN(attrs, ParseWindowAttrs(kc.node));
    int64_t group = kc.node.GetInt("group", 1);
    if (group < 1) return InvalidArgument(kc.node.Describe() + ": group must be positive, got " + std::to_string(group));
    Dims output_padding = kc.node.GetInts("output_padding");
    for (int64_t v : output_padding) {
      if (v < 0) return InvalidArgument(kc.node.Describe() + ": output_padding must be non-negative");
    }
    Dims output_shape = kc.node.GetInts("output_shape");
    for (int64_t v : output_shape) {
      if (v < 0) return InvalidArgument(kc.node.Describe() + ": output_shape must be non-negative");
    }
    return std::unique_ptr<Kernel>(
        std::make_unique<ConvTransposeKernel>(std::move(attrs), group, std::move(output_padding), std::move(output_shape)));
  });
}

}  // namespace edgerun
