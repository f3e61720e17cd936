// Resize and Upsample reference kernels: work out per-axis output sizes and scales from the
// scales/sizes inputs (or Upsample-7's attribute), then interpolate through a ResizeAxisTaps plan.
#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/image_kernels.h"
#include "kernels/reference/image_resize_plan.h"
#include "kernels/reference/image_util.h"

namespace edgerun {
namespace {

enum class AspectPolicy { kStretch, kNotLarger, kNotSmaller };

struct ResizeConfig {
  ResizeOptions opt;
  int opset = 0;
  bool upsample = false;
  bool has_scales_attr = false;           // Upsample-7
  std::vector<double> scales_attr;        // Upsample-7
  Dims axes_attr;                         // Resize-18
  AspectPolicy policy = AspectPolicy::kStretch;
  std::string desc;
};

bool SameAxes(const std::vector<ResizeAxis>& a, const std::vector<ResizeAxis>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].in != b[i].in || a[i].out != b[i].out || a[i].scale != b[i].scale || a[i].out_float != b[i].out_float ||
        a[i].roi_start != b[i].roi_start || a[i].roi_end != b[i].roi_end) {
      return false;
    }
  }
  return true;
}

class ResizeKernel final : public Kernel {
 public:
  explicit ResizeKernel(ResizeConfig cfg) : cfg_(std::move(cfg)) {}
  Status Run(KernelContext& ctx) const override;

 private:
  // The taps of the last geometry, reused while input shape, sizes/scales and roi stay the same
  // (a steady-state run computes none; concurrent runs share the immutable snapshot).
  struct Taps {
    std::vector<ResizeAxis> dims;
    std::vector<ResizeAxisTaps> taps;
  };
  std::shared_ptr<const Taps> TapsFor(const std::vector<ResizeAxis>& dims) const;
  Status Fail(const std::string& m) const { return InvalidArgument(cfg_.desc + ": " + m); }
  ResizeConfig cfg_;
  mutable std::mutex mu_;
  mutable std::shared_ptr<const Taps> last_;
};

std::shared_ptr<const ResizeKernel::Taps> ResizeKernel::TapsFor(const std::vector<ResizeAxis>& dims) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (last_ && SameAxes(last_->dims, dims)) return last_;  // dims carry every input extent
  }
  auto fresh = std::make_shared<Taps>();
  fresh->dims = dims;
  fresh->taps.resize(dims.size());
  int64_t stride = 1;  // the input's row-major strides, from the axes' input extents
  for (size_t d = dims.size(); d-- > 0;) {
    fresh->taps[d] = ComputeResizeAxisTaps(cfg_.opt, dims[d], stride);
    stride *= dims[d].in;
  }
  std::lock_guard<std::mutex> lock(mu_);
  last_ = fresh;
  return fresh;
}

Status ResizeKernel::Run(KernelContext& ctx) const {
  const Tensor& x = ctx.input(0);
  const int64_t rank = x.rank();

  Dims axes;
  if (cfg_.axes_attr.empty()) {
    for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
  } else {
    for (int64_t a : cfg_.axes_attr) {
      int64_t axis = 0;
      EDGERUN_ASSIGN_OR_RETURN(axis, NormalizeAxis(a, rank, "axes"));
      if (std::find(axes.begin(), axes.end(), axis) != axes.end()) {
        return Fail("axes contains " + std::to_string(a) + " twice");
      }
      axes.push_back(axis);
    }
  }

  // Gather scales or sizes. The per-thread vectors keep their capacity between runs.
  thread_local std::vector<double> scales;
  thread_local std::vector<ResizeAxis> dims;
  thread_local std::vector<double> ratios;
  scales.clear();
  Dims sizes;
  bool have_scales = false;
  bool have_sizes = false;
  if (cfg_.has_scales_attr) {
    scales = cfg_.scales_attr;
    have_scales = true;
  } else if (cfg_.upsample || cfg_.opset < 11) {
    if (!ctx.has_input(1)) return Fail("input 'scales' is required");
    EDGERUN_RETURN_IF_ERROR(ReadFloatsAsDoubleInto(ctx.input(1), "scales", &scales));
    have_scales = true;
  } else {
    if (ctx.has_input(2) && ctx.input(2).numel() > 0) {
      EDGERUN_RETURN_IF_ERROR(ReadFloatsAsDoubleInto(ctx.input(2), "scales", &scales));
      have_scales = true;
    }
    if (ctx.has_input(3) && ctx.input(3).numel() > 0) {
      EDGERUN_ASSIGN_OR_RETURN(sizes, ReadInt64s(ctx.input(3), "sizes"));
      have_sizes = true;
    }
    if (have_scales == have_sizes) return Fail("exactly one of 'scales' and 'sizes' must be given (non-empty)");
  }
  const size_t want = axes.size();
  if (have_scales && scales.size() != want) {
    return Fail("scales has " + std::to_string(scales.size()) + " elements, expected " + std::to_string(want) +
                " for input of shape " + ShapeToString(x.shape()));
  }
  if (have_sizes && sizes.size() != want) {
    return Fail("sizes has " + std::to_string(sizes.size()) + " elements, expected " + std::to_string(want) +
                " for input of shape " + ShapeToString(x.shape()));
  }

  dims.assign(static_cast<size_t>(rank), ResizeAxis{});
  for (int64_t d = 0; d < rank; ++d) {
    ResizeAxis& a = dims[static_cast<size_t>(d)];
    a.in = a.out = x.dim(d);
    a.out_float = static_cast<double>(a.in);
  }

  if (have_scales) {
    for (size_t k = 0; k < want; ++k) {
      const double s = scales[k];
      if (!std::isfinite(s) || s <= 0.0) return Fail("scales must be finite and positive, got " + std::to_string(s));
      ResizeAxis& a = dims[static_cast<size_t>(axes[k])];
      const double out = std::floor(static_cast<double>(a.in) * s);
      if (out > 9.0e15) return Fail("scale " + std::to_string(s) + " gives an output dimension that is too large");
      a.out = static_cast<int64_t>(out);
      a.scale = s;
      a.out_float = s * static_cast<double>(a.in);
    }
  } else {
    ratios.assign(want, 0.0);
    for (size_t k = 0; k < want; ++k) {
      const ResizeAxis& a = dims[static_cast<size_t>(axes[k])];
      if (sizes[k] < 0) return Fail("sizes must be non-negative, got " + std::to_string(sizes[k]));
      if (a.in == 0 && sizes[k] != 0) return Fail("cannot resize an empty dimension to a non-empty one");
      ratios[k] = a.in == 0 ? 1.0 : static_cast<double>(sizes[k]) / static_cast<double>(a.in);
    }
    double common = 0.0;
    if (cfg_.policy != AspectPolicy::kStretch && want > 0) {
      common = ratios[0];
      for (double r : ratios) common = cfg_.policy == AspectPolicy::kNotLarger ? std::min(common, r) : std::max(common, r);
    }
    for (size_t k = 0; k < want; ++k) {
      ResizeAxis& a = dims[static_cast<size_t>(axes[k])];
      if (cfg_.policy == AspectPolicy::kStretch) {
        a.out = sizes[k];
        a.scale = ratios[k];
        a.out_float = static_cast<double>(sizes[k]);
      } else {
        a.scale = common;
        a.out_float = common * static_cast<double>(a.in);
        if (!(a.out_float < 9.0e15)) return Fail("keep_aspect_ratio_policy gives an output dimension that is too large");
        a.out = static_cast<int64_t>(a.out_float + 0.5);
      }
      if (a.scale <= 0.0) a.scale = 1.0;  // zero-size outputs: nothing is interpolated
    }
  }

  if (cfg_.opt.coord == ResizeCoordMode::kTfCropAndResize && !cfg_.upsample && cfg_.opset >= 11 && ctx.has_input(1) &&
      ctx.input(1).numel() > 0) {
    thread_local std::vector<double> roi;
    EDGERUN_RETURN_IF_ERROR(ReadFloatsAsDoubleInto(ctx.input(1), "roi", &roi));
    if (roi.size() != 2 * want) {
      return Fail("roi has " + std::to_string(roi.size()) + " elements, expected " + std::to_string(2 * want));
    }
    for (size_t k = 0; k < want; ++k) {
      ResizeAxis& a = dims[static_cast<size_t>(axes[k])];
      a.roi_start = roi[k];
      a.roi_end = roi[want + k];
    }
  }

  Shape out_shape(static_cast<size_t>(rank));
  for (int64_t d = 0; d < rank; ++d) out_shape[static_cast<size_t>(d)] = dims[static_cast<size_t>(d)].out;
  Tensor* y = nullptr;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), out_shape));
  if (y->numel() == 0) return Status::Ok();

  const std::shared_ptr<const Taps> taps = TapsFor(dims);
  EDGERUN_RETURN_IF_ERROR_CTX(ApplyResize(cfg_.opt, taps->taps, x, y), cfg_.desc);
  return Status::Ok();
}

Status ParseCommon(const ir::Node& node, int opset, bool upsample, ResizeConfig* cfg) {
  cfg->opset = opset;
  cfg->upsample = upsample;
  cfg->desc = node.Describe();
  const std::string mode = node.GetString("mode", "nearest");
  if (!ParseResizeMode(mode, &cfg->opt.mode) || ((upsample || opset < 11) && cfg->opt.mode == ResizeMode::kCubic)) {
    return InvalidArgument(cfg->desc + ": unsupported mode '" + mode + "'");
  }
  if (upsample || opset < 11) {
    cfg->opt.coord = ResizeCoordMode::kAsymmetric;
    cfg->opt.nearest = ResizeNearestMode::kSimple;
    return Status::Ok();
  }
  const std::string coord = node.GetString("coordinate_transformation_mode", "half_pixel");
  if (!ParseResizeCoordMode(coord, &cfg->opt.coord) ||
      (opset < 19 && cfg->opt.coord == ResizeCoordMode::kHalfPixelSymmetric)) {
    return InvalidArgument(cfg->desc + ": unsupported coordinate_transformation_mode '" + coord + "'");
  }
  const std::string nearest = node.GetString("nearest_mode", "round_prefer_floor");
  if (!ParseResizeNearestMode(nearest, &cfg->opt.nearest)) {
    return InvalidArgument(cfg->desc + ": unsupported nearest_mode '" + nearest + "'");
  }
  cfg->opt.cubic_a = node.GetFloat("cubic_coeff_a", -0.75f);
  const int64_t exclude = node.GetInt("exclude_outside", 0);
  if (exclude != 0 && exclude != 1) return InvalidArgument(cfg->desc + ": exclude_outside must be 0 or 1");
  cfg->opt.exclude_outside = exclude == 1;
  cfg->opt.extrapolation_value = node.GetFloat("extrapolation_value", 0.0f);
  if (opset >= 18) {
    const int64_t antialias = node.GetInt("antialias", 0);
    if (antialias != 0 && antialias != 1) return InvalidArgument(cfg->desc + ": antialias must be 0 or 1");
    cfg->opt.antialias = antialias == 1;
    cfg->axes_attr = node.GetInts("axes");
    const std::string policy = node.GetString("keep_aspect_ratio_policy", "stretch");
    if (policy == "stretch") cfg->policy = AspectPolicy::kStretch;
    else if (policy == "not_larger") cfg->policy = AspectPolicy::kNotLarger;
    else if (policy == "not_smaller") cfg->policy = AspectPolicy::kNotSmaller;
    else return InvalidArgument(cfg->desc + ": unsupported keep_aspect_ratio_policy '" + policy + "'");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Kernel>> CreateResizeKernel(const KernelCreateContext& ctx) {
  ResizeConfig cfg;
  EDGERUN_RETURN_IF_ERROR(ParseCommon(ctx.node, ctx.opset, /*upsample=*/false, &cfg));
  return std::unique_ptr<Kernel>(std::make_unique<ResizeKernel>(std::move(cfg)));
}

Result<std::unique_ptr<Kernel>> CreateUpsampleKernel(const KernelCreateContext& ctx) {
  ResizeConfig cfg;
  EDGERUN_RETURN_IF_ERROR(ParseCommon(ctx.node, ctx.opset, /*upsample=*/true, &cfg));
  if (ctx.opset < 9) {
    if (!ctx.node.HasAttribute("scales")) return InvalidArgument(cfg.desc + ": attribute 'scales' is required");
    for (float s : ctx.node.GetFloats("scales")) cfg.scales_attr.push_back(s);
    cfg.has_scales_attr = true;
  }
  return std::unique_ptr<Kernel>(std::make_unique<ResizeKernel>(std::move(cfg)));
}

}  // namespace edgerun
