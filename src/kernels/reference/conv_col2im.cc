// Reference Col2Im (opset 18): rearranges sliding-window columns (N, C * prod(block), L) back into
// an image (N, C, image_shape...), summing overlapping values. Thread-safety: stateless kernel.
#include <memory>
#include <utility>
#include <vector>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/conv.h"
#include "kernels/reference/conv_geometry.h"
#include "kernels/reference/conv_im2col.h"
#include "kernels/reference/conv_util.h"
#include "kernels/reference/dispatch.h"

namespace edgerun {
namespace {

class Col2ImKernel final : public Kernel {
 public:
  explicit Col2ImKernel(WindowAttrs attrs) : attrs_(std::move(attrs)) {}

  Status Run(KernelContext& ctx) const override {
    if (!ctx.has_input(0) || !ctx.has_input(1) || !ctx.has_input(2)) {
      return InvalidArgument("Col2Im needs inputs input, image_shape and block_shape");
    }
    const Tensor& x = ctx.input(0);
    Dims image, block;
    EDGERUN_ASSIGN_OR_RETURN(image, ReadInt64s(ctx.input(1), "image_shape"));
    EDGERUN_ASSIGN_OR_RETURN(block, ReadInt64s(ctx.input(2), "block_shape"));
    if (image.empty() || image.size() != block.size()) {
      return InvalidArgument("image_shape " + ShapeToString(image) + " and block_shape " + ShapeToString(block) +
                             " must be non-empty and of equal length");
    }
    for (size_t d = 0; d < image.size(); ++d) {
      if (image[d] < 1 || block[d] < 1) {
        return InvalidArgument("image_shape and block_shape must be positive, got " + ShapeToString(image) + " and " +
                               ShapeToString(block));
      }
    }
    if (x.rank() != 3) return InvalidArgument("input must have rank 3 (N, C * prod(block_shape), L), got " + ShapeToString(x.shape()));
    WindowGeometry g;
    EDGERUN_ASSIGN_OR_RETURN(g, ForwardGeometry(attrs_, image, block));
    const int64_t k = g.KernelSize();
    if (x.dim(1) % k != 0 || x.dim(2) != g.OutSize()) {
      return InvalidArgument("input shape " + ShapeToString(x.shape()) + " does not match block_shape " +
                             ShapeToString(block) + " and the " + std::to_string(g.OutSize()) + " block positions");
    }
    const int64_t batch = x.dim(0);
    const int64_t channels = x.dim(1) / k;
    Shape y_shape = {batch, channels};
    y_shape.insert(y_shape.end(), image.begin(), image.end());
    Tensor* y;
    EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), y_shape));
    return DispatchNumeric(x.dtype(), "Col2Im", [&]<typename T>() -> Status {
      using Acc = NnComputeType<T>;
      std::vector<Acc> x_store, y_store;
      const Acc* xp = AsCompute<T, Acc>(x, x_store);
      Acc* yp;
      if constexpr (std::is_same_v<T, Acc>) {
        yp = y->data<Acc>();
      } else {
        y_store.assign(static_cast<size_t>(y->numel()), Acc(0));
        yp = y_store.data();
      }
      const int64_t image_size = g.InSize();
      for (int64_t n = 0; n < batch; ++n) {
        Col2ImAdd(xp + n * x.dim(1) * x.dim(2), channels, g, yp + n * channels * image_size);
      }
      if constexpr (!std::is_same_v<T, Acc>) StoreFromCompute(yp, y->numel(), y->data<T>());
      return Status::Ok();
    });
  }

 private:
  WindowAttrs attrs_;
};

}  // namespace

void RegisterCol2ImKernel(KernelRegistry& r) {
  r.Register(
      "Col2Im",
      [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
        WindowAttrs attrs;
        EDGERUN_ASSIGN_OR_RETURN(attrs, ParseWindowAttrs(kc.node));
        attrs.auto_pad = AutoPad::kNotSet;
        attrs.ceil_mode = false;
        return std::unique_ptr<Kernel>(std::make_unique<Col2ImKernel>(std::move(attrs)));
      },
      18);
}

}  // namespace edgerun
