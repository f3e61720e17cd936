// RoiAlign reference kernel (opsets 10 and 16). Each region of interest is divided into
// output_height x output_width bins; each bin averages (or max-pools) bilinear samples on a
// regular grid, as in ONNX Runtime and the ONNX reference implementation (including its "max"
// mode, which takes the largest weighted corner value of each sample).
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/image_kernels.h"
#include "kernels/reference/image_util.h"

namespace edgerun {
namespace {

struct RoiAlignConfig {
  bool max_mode = false;
  int64_t out_h = 1;
  int64_t out_w = 1;
  int64_t sampling_ratio = 0;
  double spatial_scale = 1.0;
  bool half_pixel = false;
  std::string desc;
};

// Bilinear sample: four input offsets and weights (all zero when outside the feature map).
struct Sample {
  int64_t pos[4] = {0, 0, 0, 0};
  double w[4] = {0, 0, 0, 0};
};

Sample BilinearSample(double y, double x, int64_t height, int64_t width) {
  Sample s;
  if (!(y >= -1.0 && y <= static_cast<double>(height) && x >= -1.0 && x <= static_cast<double>(width))) {
    return s;  // outside the map, or NaN
  }
  y = std::max(y, 0.0);
  x = std::max(x, 0.0);
  int64_t y_low = static_cast<int64_t>(y);
  int64_t x_low = static_cast<int64_t>(x);
  int64_t y_high = y_low + 1;
  int64_t x_high = x_low + 1;
  if (y_low >= height - 1) {
    y_high = y_low = height - 1;
    y = static_cast<double>(y_low);
  }
  if (x_low >= width - 1) {
    x_high = x_low = width - 1;
    x = static_cast<double>(x_low);
  }
  const double ly = y - static_cast<double>(y_low);
  const double lx = x - static_cast<double>(x_low);
  const double hy = 1.0 - ly;
  const double hx = 1.0 - lx;
  s.pos[0] = y_low * width + x_low;
  s.pos[1] = y_low * width + x_high;
  s.pos[2] = y_high * width + x_low;
  s.pos[3] = y_high * width + x_high;
  s.w[0] = hy * hx;
  s.w[1] = hy * lx;
  s.w[2] = ly * hx;
  s.w[3] = ly * lx;
  return s;
}

class RoiAlignKernel final : public Kernel {
 public:
  explicit RoiAlignKernel(RoiAlignConfig cfg) : cfg_(std::move(cfg)) {}

  Status Run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& rois = ctx.input(1);
    const Tensor& batch = ctx.input(2);
    if (x.rank() != 4) return Fail("X has shape " + ShapeToString(x.shape()) + ", expected 4 dims");
    if (rois.rank() != 2 || rois.dim(1) != 4) {
      return Fail("rois has shape " + ShapeToString(rois.shape()) + ", expected [num_rois, 4]");
    }
    const int64_t num_rois = rois.dim(0);
    if (batch.rank() != 1 || batch.dim(0) != num_rois) {
      return Fail("batch_indices has shape " + ShapeToString(batch.shape()) + ", expected [" +
                  std::to_string(num_rois) + "]");
    }
    Dims batch_idx;
    EDGERUN_ASSIGN_OR_RETURN(batch_idx, ReadInt64s(batch, "batch_indices"));
    for (int64_t b : batch_idx) {
      if (b < 0 || b >= x.dim(0)) {
        return Fail("batch index " + std::to_string(b) + " is out of range for batch size " + std::to_string(x.dim(0)));
      }
    }
    std::vector<double> boxes;
    EDGERUN_ASSIGN_OR_RETURN(boxes, ReadFloatsAsDouble(rois, "rois"));
    Tensor* y = nullptr;
    EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), {num_rois, x.dim(1), cfg_.out_h, cfg_.out_w}));
    if (y->numel() == 0 || x.dim(2) == 0 || x.dim(3) == 0) return Status::Ok();
    return DispatchFloat(x.dtype(), "RoiAlign", [&]<typename T>() -> Status {
      for (int64_t r = 0; r < num_rois; ++r) Pool(x.data<T>(), x.shape(), &boxes[r * 4], batch_idx[r], y->data<T>() + r * x.dim(1) * cfg_.out_h * cfg_.out_w);
      return Status::Ok();
    });
  }

 private:
  Status Fail(const std::string& m) const { return InvalidArgument(cfg_.desc + ": " + m); }

  template <typename T>
  void Pool(const T* x, const Shape& xs, const double* box, int64_t b, T* out) const {
    const int64_t channels = xs[1];
    const int64_t height = xs[2];
    const int64_t width = xs[3];
    const double offset = cfg_.half_pixel ? 0.5 : 0.0;
    const double start_w = box[0] * cfg_.spatial_scale - offset;
    const double start_h = box[1] * cfg_.spatial_scale - offset;
    const double end_w = box[2] * cfg_.spatial_scale - offset;
    const double end_h = box[3] * cfg_.spatial_scale - offset;
    double roi_w = end_w - start_w;
    double roi_h = end_h - start_h;
    if (!cfg_.half_pixel) {
      roi_w = std::max(roi_w, 1.0);
      roi_h = std::max(roi_h, 1.0);
    }
    const double bin_h = roi_h / static_cast<double>(cfg_.out_h);
    const double bin_w = roi_w / static_cast<double>(cfg_.out_w);
    // Adaptive grids are bounded by the feature map so a huge box cannot demand huge work.
    auto grid = [&](double extent, int64_t bins, int64_t limit) {
      if (cfg_.sampling_ratio > 0) return cfg_.sampling_ratio;
      const double g = std::ceil(extent / static_cast<double>(bins));
      return static_cast<int64_t>(std::clamp(std::isnan(g) ? 1.0 : g, 1.0, static_cast<double>(limit + 1)));
    };
    const int64_t grid_h = grid(roi_h, cfg_.out_h, height);
    const int64_t grid_w = grid(roi_w, cfg_.out_w, width);
    const double count = static_cast<double>(std::max<int64_t>(grid_h * grid_w, 1));

    std::vector<Sample> samples(static_cast<size_t>(grid_h * grid_w));
    const T* xb = x + b * channels * height * width;
    for (int64_t ph = 0; ph < cfg_.out_h; ++ph) {
      for (int64_t pw = 0; pw < cfg_.out_w; ++pw) {
        size_t k = 0;
        for (int64_t iy = 0; iy < grid_h; ++iy) {
          const double yy = start_h + static_cast<double>(ph) * bin_h +
                            (static_cast<double>(iy) + 0.5) * bin_h / static_cast<double>(grid_h);
          for (int64_t ix = 0; ix < grid_w; ++ix) {
            const double xx = start_w + static_cast<double>(pw) * bin_w +
                              (static_cast<double>(ix) + 0.5) * bin_w / static_cast<double>(grid_w);
            samples[k++] = BilinearSample(yy, xx, height, width);
          }
        }
        for (int64_t c = 0; c < channels; ++c) {
          const T* xc = xb + c * height * width;
          double acc = 0.0;
          bool first = true;
          for (const Sample& s : samples) {
            if (cfg_.max_mode) {
              double v = s.w[0] * ImageToDouble(xc[s.pos[0]]);
              for (int j = 1; j < 4; ++j) v = std::max(v, s.w[j] * ImageToDouble(xc[s.pos[j]]));
              acc = first ? v : std::max(acc, v);
              first = false;
            } else {
              for (int j = 0; j < 4; ++j) acc += s.w[j] * ImageToDouble(xc[s.pos[j]]);
            }
          }
          if (!cfg_.max_mode) acc /= count;
          out[(c * cfg_.out_h + ph) * cfg_.out_w + pw] = ImageFromDouble<T>(acc);
        }
      }
    }
  }

  RoiAlignConfig cfg_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> CreateRoiAlignKernel(const KernelCreateContext& ctx) {
  RoiAlignConfig cfg;
  cfg.desc = ctx.node.Describe();
  const std::string mode = ctx.node.GetString("mode", "avg");
  if (mode != "avg" && mode != "max") return InvalidArgument(cfg.desc + ": unsupported mode '" + mode + "'");
  cfg.max_mode = mode == "max";
  cfg.out_h = ctx.node.GetInt("output_height", 1);
  cfg.out_w = ctx.node.GetInt("output_width", 1);
  if (cfg.out_h < 1 || cfg.out_w < 1) return InvalidArgument(cfg.desc + ": output_height and output_width must be >= 1");
  cfg.sampling_ratio = ctx.node.GetInt("sampling_ratio", 0);
  if (cfg.sampling_ratio < 0 || cfg.sampling_ratio > 4096) {
    return InvalidArgument(cfg.desc + ": sampling_ratio must be in [0, 4096], got " + std::to_string(cfg.sampling_ratio));
  }
  cfg.spatial_scale = ctx.node.GetFloat("spatial_scale", 1.0f);
  if (ctx.opset >= 16) {
    const std::string coord = ctx.node.GetString("coordinate_transformation_mode", "half_pixel");
    if (coord != "half_pixel" && coord != "output_half_pixel") {
      return InvalidArgument(cfg.desc + ": unsupported coordinate_transformation_mode '" + coord + "'");
    }
    cfg.half_pixel = coord == "half_pixel";
  }
  return std::unique_ptr<Kernel>(std::make_unique<RoiAlignKernel>(std::move(cfg)));
}

}  // namespace edgerun
