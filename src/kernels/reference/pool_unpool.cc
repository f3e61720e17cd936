// Reference MaxUnpool (scatter pooled values back to the positions recorded by MaxPool's Indices)
// and MaxRoiPool (Caffe-style max pooling over regions of interest).
// Thread-safety: kernels are immutable after creation; Run keeps its state on the stack.
#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/conv_geometry.h"
#include "kernels/reference/conv_util.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/pool.h"

namespace edgerun {
namespace {

class MaxUnpoolKernel final : public Kernel {
 public:
  explicit MaxUnpoolKernel(WindowAttrs attrs) : attrs_(std::move(attrs)) {}

  Status Run(KernelContext& ctx) const override {
    if (!ctx.has_input(0) || !ctx.has_input(1)) return InvalidArgument("MaxUnpool needs inputs X and I");
    const Tensor& x = ctx.input(0);
    const Tensor& ind = ctx.input(1);
    const size_t rank = attrs_.kernel_shape.size();
    if (x.rank() != static_cast<int64_t>(rank) + 2) {
      return InvalidArgument("X shape " + ShapeToString(x.shape()) + " does not match kernel_shape " +
                             ShapeToString(attrs_.kernel_shape));
    }
    if (ind.shape() != x.shape() || ind.dtype() != DataType::kInt64) {
      return InvalidArgument("I must be an int64 tensor of X's shape " + ShapeToString(x.shape()) + ", got " +
                             DataTypeName(ind.dtype()) + " " + ShapeToString(ind.shape()));
    }
    // Indices address the unpooled tensor of the inferred shape; with output_shape they are
    // mapped by coordinates into the requested (larger) shape.
    WindowGeometry g;
    EDGERUN_RETURN_IF_ERROR(FillWindowParams(attrs_, rank, &g));
    Shape inferred = {x.dim(0), x.dim(1)};
    for (size_t d = 0; d < rank; ++d) {
      int64_t out = (x.dim(static_cast<int64_t>(d) + 2) - 1) * g.strides[d] + attrs_.kernel_shape[d] -
                    g.pad_begin[d] - g.pad_end[d];
      if (out < 0) return InvalidArgument("MaxUnpool output size would be negative");
      inferred.push_back(out);
    }
    Shape y_shape = inferred;
    if (ctx.has_input(2)) {
      EDGERUN_ASSIGN_OR_RETURN(y_shape, ReadInt64s(ctx.input(2), "output_shape"));
      if (y_shape.size() != rank + 2 || y_shape[0] != x.dim(0) || y_shape[1] != x.dim(1)) {
        return InvalidArgument("output_shape " + ShapeToString(y_shape) + " must have rank " + std::to_string(rank + 2) +
                               " and the batch and channel dims of X " + ShapeToString(x.shape()));
      }
    }
    Tensor* y;
    EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), y_shape));
    const int64_t* ip = ind.data<int64_t>();
    const int64_t limit = ShapeSize(inferred);
    Dims target(static_cast<size_t>(ind.numel()));
    for (int64_t i = 0; i < ind.numel(); ++i) {
      int64_t rest = ip[i];
      if (rest < 0 || rest >= limit) {
        return InvalidArgument("index " + std::to_string(ip[i]) + " in I is out of range for the unpooled shape " +
                               ShapeToString(inferred));
      }
      int64_t pos = 0, stride = 1;
      for (size_t d = inferred.size(); d-- > 0;) {
        const int64_t coord = rest % inferred[d];
        rest /= inferred[d];
        if (coord >= y_shape[d]) {
          return InvalidArgument("index " + std::to_string(ip[i]) + " in I falls outside output_shape " +
                                 ShapeToString(y_shape));
        }
        pos += coord * stride;
        stride *= y_shape[d];
      }
      target[static_cast<size_t>(i)] = pos;
    }
    return DispatchBySize(x.dtype(), "MaxUnpool", [&]<typename T>() -> Status {
      const T* xp = x.data<T>();
      T* yp = y->data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) yp[target[static_cast<size_t>(i)]] = xp[i];
      return Status::Ok();
    });
  }

 private:
  WindowAttrs attrs_;
};

class MaxRoiPoolKernel final : public Kernel {
 public:
  MaxRoiPoolKernel(int64_t pooled_h, int64_t pooled_w, float spatial_scale)
      : pooled_h_(pooled_h), pooled_w_(pooled_w), spatial_scale_(spatial_scale) {}

  Status Run(KernelContext& ctx) const override {
    if (!ctx.has_input(0) || !ctx.has_input(1)) return InvalidArgument("MaxRoiPool needs inputs X and rois");
    const Tensor& x = ctx.input(0);
    const Tensor& rois_t = ctx.input(1);
    if (x.rank() != 4) return InvalidArgument("X must have rank 4, got " + ShapeToString(x.shape()));
    if (rois_t.rank() != 2 || rois_t.dim(1) != 5) {
      return InvalidArgument("rois must have shape (num_rois, 5), got " + ShapeToString(rois_t.shape()));
    }
    std::vector<double> rois;
    EDGERUN_ASSIGN_OR_RETURN(rois, ReadFloatsAsDouble(rois_t, "MaxRoiPool rois"));
    const int64_t batch = x.dim(0), channels = x.dim(1), height = x.dim(2), width = x.dim(3);
    const int64_t num_rois = rois_t.dim(0);
    Tensor* y;
    EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), {num_rois, channels, pooled_h_, pooled_w_}));
    for (int64_t r = 0; r < num_rois; ++r) {
      const double b = rois[static_cast<size_t>(r * 5)];
      if (!(b >= 0 && b < static_cast<double>(batch))) {
        return InvalidArgument("roi " + std::to_string(r) + " has batch index out of range");
      }
      for (int k = 1; k < 5; ++k) {
        if (!(std::fabs(rois[static_cast<size_t>(r * 5 + k)] * spatial_scale_) < 1e15)) {
          return InvalidArgument("roi " + std::to_string(r) + " has a non-finite or out-of-range coordinate");
        }
      }
    }
    return DispatchFloat(x.dtype(), "MaxRoiPool", [&]<typename T>() -> Status {
      using V = NnComputeType<T>;
      const T* xp = x.data<T>();
      T* yp = y->data<T>();
      for (int64_t r = 0; r < num_rois; ++r) {
        const double* roi = &rois[static_cast<size_t>(r * 5)];
        const int64_t n = static_cast<int64_t>(roi[0]);
        const int64_t x1 = std::llround(roi[1] * spatial_scale_), y1 = std::llround(roi[2] * spatial_scale_);
        const int64_t x2 = std::llround(roi[3] * spatial_scale_), y2 = std::llround(roi[4] * spatial_scale_);
        const double bin_h = static_cast<double>(std::max<int64_t>(y2 - y1 + 1, 1)) / static_cast<double>(pooled_h_);
        const double bin_w = static_cast<double>(std::max<int64_t>(x2 - x1 + 1, 1)) / static_cast<double>(pooled_w_);
        for (int64_t c = 0; c < channels; ++c) {
          const T* plane = xp + (n * channels + c) * height * width;
          T* out = yp + ((r * channels + c) * pooled_h_) * pooled_w_;
          for (int64_t ph = 0; ph < pooled_h_; ++ph) {
            int64_t hs = std::clamp<int64_t>(static_cast<int64_t>(std::floor(ph * bin_h)) + y1, 0, height);
            int64_t he = std::clamp<int64_t>(static_cast<int64_t>(std::ceil((ph + 1) * bin_h)) + y1, 0, height);
            for (int64_t pw = 0; pw < pooled_w_; ++pw) {
              int64_t ws = std::clamp<int64_t>(static_cast<int64_t>(std::floor(pw * bin_w)) + x1, 0, width);
              int64_t we = std::clamp<int64_t>(static_cast<int64_t>(std::ceil((pw + 1) * bin_w)) + x1, 0, width);
              V best = 0;
              bool any = false;
              for (int64_t h = hs; h < he; ++h) {
                for (int64_t w = ws; w < we; ++w) {
                  const V v = static_cast<V>(plane[h * width + w]);
                  if (!any || v > best) best = v;
                  any = true;
                }
              }
              out[ph * pooled_w_ + pw] = T(best);
            }
          }
        }
      }
      return Status::Ok();
    });
  }

 private:
  int64_t pooled_h_, pooled_w_;
  float spatial_scale_;
};

}  // namespace

void RegisterUnpoolKernels(KernelRegistry& r) {
  r.Register("MaxUnpool", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    WindowAttrs attrs;
    EDGERUN_ASSIGN_OR_RETURN(attrs, ParseWindowAttrs(kc.node));
    if (attrs.kernel_shape.empty()) return InvalidArgument(kc.node.Describe() + ": kernel_shape is required");
    return std::unique_ptr<Kernel>(std::make_unique<MaxUnpoolKernel>(std::move(attrs)));
  });
  r.Register("MaxRoiPool", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    Dims pooled = kc.node.GetInts("pooled_shape");
    if (pooled.size() != 2 || pooled[0] < 1 || pooled[1] < 1) {
      return InvalidArgument(kc.node.Describe() + ": pooled_shape must be two positive values");
    }
    float scale = kc.node.GetFloat("spatial_scale", 1.0f);
    return std::unique_ptr<Kernel>(std::make_unique<MaxRoiPoolKernel>(pooled[0], pooled[1], scale));
  });
}

}  // namespace edgerun
