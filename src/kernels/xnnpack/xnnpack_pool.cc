// MaxPool, AveragePool and GlobalAveragePool on XNNPACK's NHWC pooling operators, 2D and 1D (a
// rank-3 [N, C, L] value is stored [N, L, C], which is NHWC with H = 1).
// ceil_mode becomes extra end padding (XNNPACK ignores padded taps for max pooling and leaves them
// out of the average, which is ONNX's count_include_pad = 0).
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>

#include "kernels/reference/conv_geometry.h"
#include "kernels/xnnpack/xnnpack_conv1d_step.h"
#include "kernels/xnnpack/xnnpack_mappers.h"
#include "kernels/xnnpack/xnnpack_onednn_conv.h"

namespace edgerun::xnn {

bool ClaimPool(const ir::Graph& g, const ir::Node& n) {
  const std::string& op = n.op_type;
  if (op != "MaxPool" && op != "AveragePool" && op != "GlobalAveragePool") return false;
  if (!n.HasInput(0) || g.IsInitializer(n.inputs[0]) || n.inputs.size() != 1 || n.outputs.size() != 1) return false;
  const int rank = KnownRank(g, n.inputs[0]);
  if (rank >= 0 && rank != 4 && rank != 3) return false;
  if (op == "GlobalAveragePool") return true;
  auto attrs = ParseWindowAttrs(n);
  if (!attrs.ok()) return false;
  const size_t spatial = attrs.value().kernel_shape.size();
  if (spatial != 2 && spatial != 1) return false;
  if (rank >= 0 && static_cast<size_t>(rank) != spatial + 2) return false;
  if (op == "MaxPool") {
    if (n.GetInt("storage_order", 0) != 0) return false;
    for (int64_t d : attrs.value().dilations) {
      if (d != 1) return false;  // XNNPACK clamps padded taps to the edge: exact only without dilation
    }
  } else if (n.GetInt("count_include_pad", 0) != 0) {
    if (attrs.value().auto_pad == AutoPad::kSameUpper || attrs.value().auto_pad == AutoPad::kSameLower) return false;
    for (int64_t p : attrs.value().pads) {
      if (p != 0) return false;
    }
  }
  return true;
}

namespace {

// Small max pools (vibration_cnn1d's [1, 16, 256] -> 128 with a window of 2: 2.3 us on XNNPACK,
// whose per-output-pixel indirection dominates at this size) run as a direct loop instead:
// each output pixel is the running max of the channels rows of its window's valid pixels.
constexpr int64_t kMaxDirectPoolElements = int64_t{1} << 16;

// out = max(out, in) elementwise (NaN in `in` is not taken, like XNNPACK's maxpool).
__attribute__((target("avx2"))) int64_t MaxIntoAvx2(float* __restrict out, const float* __restrict in, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {  // vmaxps(a, b) is a > b ? a : b, the scalar form below
    _mm256_storeu_ps(out + i, _mm256_max_ps(_mm256_loadu_ps(in + i), _mm256_loadu_ps(out + i)));
  }
  return i;
}

void MaxInto(float* __restrict out, const float* __restrict in, int64_t n) {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  int64_t i = avx2 ? MaxIntoAvx2(out, in, n) : 0;
  for (; i < n; ++i) out[i] = in[i] > out[i] ? in[i] : out[i];
}

struct DirectPool {
  WindowGeometry geo;  // 2-D (1-D lifted)
  int64_t batch = 0, channels = 0;
  size_t threads = 1;  // > 1: output rows split over oneDNN's OpenMP team
  StepBuffers io;

  void Run() const {
    if (threads <= 1) {
      RunRows(0, batch * geo.out[0]);
      return;
    }
    OmpParallel(
        threads,
        [](void* arg, size_t t) {
          const auto* self = static_cast<const DirectPool*>(arg);
          const int64_t rows = self->batch * self->geo.out[0], n = static_cast<int64_t>(self->threads);
          const int64_t k = static_cast<int64_t>(t);
          self->RunRows(rows * k / n, rows * (k + 1) / n);
        },
        const_cast<DirectPool*>(this));
  }

  // Output rows [row_begin, row_end) of all images, rows numbered b * out_h + oy.
  void RunRows(int64_t row_begin, int64_t row_end) const {
    const float* x = io.x;
    float* y = io.y;
    const int64_t xs = static_cast<int64_t>(io.x_stride), ys = static_cast<int64_t>(io.y_stride);
    const float lo = io.lo, hi = io.hi;
    const int64_t ih = geo.in[0], iw = geo.in[1], oh = geo.out[0], ow = geo.out[1];
    for (int64_t row = row_begin; row < row_end; ++row) {
      const int64_t b = row / oh, oy = row % oh;
      for (int64_t ox = 0; ox < ow; ++ox) {
        float* out = y + (row * ow + ox) * ys;
        bool first = true;
        for (int64_t ky = 0; ky < geo.kernel[0]; ++ky) {
          const int64_t iy = oy * geo.strides[0] - geo.pad_begin[0] + ky * geo.dilations[0];
          if (iy < 0 || iy >= ih) continue;
          for (int64_t kx = 0; kx < geo.kernel[1]; ++kx) {
            const int64_t ix = ox * geo.strides[1] - geo.pad_begin[1] + kx * geo.dilations[1];
            if (ix < 0 || ix >= iw) continue;
            const float* in = x + ((b * ih + iy) * iw + ix) * xs;
            if (first) {
              std::copy(in, in + channels, out);
              first = false;
            } else {
              MaxInto(out, in, channels);
            }
          }
        }
        if (first) std::fill(out, out + channels, kNoMin);  // a window of padding only
        if (lo != kNoMin || hi != kNoMax) {
          for (int64_t ch = 0; ch < channels; ++ch) out[ch] = std::min(std::max(out[ch], lo), hi);
        }
      }
    }
  }
};

std::atomic<int64_t> g_team_pool_steps{0};

void AddDirectMaxPool(Plan& plan, const std::string& what, int x, int y, const WindowGeometry& geo, int threads) {
  auto pool = std::make_shared<DirectPool>();
  pool->geo = geo;
  pool->threads = static_cast<size_t>(std::max(threads, 1));
  const Value& xv = plan.value(x);
  pool->batch = xv.shape[0], pool->channels = xv.shape[1];
  Step s = StridedClampStep(what, x, -1, y);
  s.openmp = pool->threads > 1;
  if (s.openmp) g_team_pool_steps.fetch_add(1);
  SetDirectRun(s, pool);
  plan.AddStep(std::move(s));
}

}  // namespace

int64_t TeamMaxPoolSteps() { return g_team_pool_steps.load(); }

Status MapPool(BuildContext& ctx, const ir::Node& n) {
  Plan& plan = ctx.plan;
  int x;
  EDGERUN_ASSIGN_OR_RETURN(x, ctx.Input(n, 0));
  const Value xv = plan.value(x);
  const size_t rank = xv.shape.size();
  if ((rank != 4 && rank != 3) || !xv.dense()) return Unsupported(n.Describe() + ": needs a dense 3D or 4D input");
  const bool one_d = rank == 3;
  const int64_t batch = xv.shape[0], c = xv.shape[1], h = one_d ? 1 : xv.shape[2], w = xv.shape.back();
  if (n.op_type == "GlobalAveragePool") {
    const int y = plan.AddValue(one_d ? Shape{batch, c, 1} : Shape{batch, c, 1, 1});
    Step s;
    s.what = n.Describe();
    s.inputs = {x};
    s.outputs = {y};
    s.strided_output = true;
    s.clampable = true;
    s.create = [](Plan& p, Step& st) {
      const Value& in = p.value(st.inputs[0]);
      xnn_status r = xnn_create_global_average_pooling_nwc_f32(static_cast<size_t>(in.channels()), in.stride,
                                                               p.value(st.outputs[0]).stride, st.output_min,
                                                               st.output_max, 0, &st.op);
      return XnnCheck(r, st.what, "create (global average pooling)");
    };
    s.setup = [batch, h, w](Plan& p, Step& st) {
      xnn_status r = xnn_setup_global_average_pooling_nwc_f32(st.op, static_cast<size_t>(batch),
                                                              static_cast<size_t>(h * w), p.Data(st.inputs[0]),
                                                              p.Data(st.outputs[0]), p.pool());
      return XnnCheck(r, st.what, "setup (global average pooling)");
    };
    plan.AddStep(std::move(s));
    ctx.Define(n.outputs[0], y);
    return Status::Ok();
  }
  WindowAttrs attrs;
  EDGERUN_ASSIGN_OR_RETURN(attrs, ParseWindowAttrs(n));
  if (attrs.kernel_shape.size() != rank - 2) return Unsupported(n.Describe() + ": kernel rank differs from the input's");
  auto geo_r = ForwardGeometry(attrs, one_d ? Shape{w} : Shape{h, w}, attrs.kernel_shape);
  if (!geo_r.ok()) return Unsupported(n.Describe() + ": " + geo_r.status().message());
  WindowGeometry geo = std::move(geo_r).value();
  if (one_d) {  // prepend a trivial H dimension
    auto lift = [](Dims& v, int64_t unit) { v.insert(v.begin(), unit); };
    lift(geo.in, 1), lift(geo.out, 1), lift(geo.kernel, 1), lift(geo.strides, 1), lift(geo.dilations, 1);
    lift(geo.pad_begin, 0), lift(geo.pad_end, 0);
  }
  for (size_t d = 0; d < 2; ++d) {
    const int64_t extent = (geo.kernel[d] - 1) * geo.dilations[d] + 1;
    // Padding that would let a window see no input at all: leave such edge cases to the reference.
    if (geo.pad_begin[d] >= extent || geo.pad_end[d] >= extent) return Unsupported(n.Describe() + ": padding as large as the window");
    const int64_t need = (geo.out[d] - 1) * geo.strides[d] + extent - (geo.in[d] + geo.pad_begin[d] + geo.pad_end[d]);
    if (need > 0) geo.pad_end[d] += need;  // ceil_mode
    if ((geo.in[d] + geo.pad_begin[d] + geo.pad_end[d] - extent) / geo.strides[d] + 1 != geo.out[d]) {
      return Unsupported(n.Describe() + ": output size not reproducible");
    }
  }
  const bool is_max = n.op_type == "MaxPool";
  // Conv1d -> MaxPool(2, stride 2, no pads): folded into the convolution's store.
  const bool unpadded = std::all_of(attrs.pads.begin(), attrs.pads.end(), [](int64_t p) { return p == 0; }) &&
                        (attrs.auto_pad == AutoPad::kNotSet || attrs.auto_pad == AutoPad::kValid);
  if (is_max && one_d && unpadded && geo.kernel[1] == 2 && geo.strides[1] == 2 && geo.dilations[1] == 1 &&
      !xv.is_input && ctx.SingleInternalUse(n.inputs[0]) && FuseConv1dMaxPool2(ctx, x, attrs.ceil_mode)) {
    ctx.Define(n.outputs[0], x);
    return Status::Ok();
  }
  const int y = plan.AddValue(one_d ? Shape{batch, c, geo.out[1]} : Shape{batch, c, geo.out[0], geo.out[1]});
  // In plans whose convolutions run on oneDNN's OpenMP team, max pools split their rows over the
  // team too. The pool then reads the rows its own core wrote: run serially it read half of its
  // input from the other core's cache (resnet18's 112x112x64 pool at 2 threads: 415 us against
  // 121 us at 1 thread, median per step over 100 runs).
  const int team = plan.onednn() ? plan.onednn()->threads() : 1;
  if (is_max && (ShapeSize(xv.shape) <= kMaxDirectPoolElements || team > 1)) {
    AddDirectMaxPool(plan, n.Describe(), x, y, geo, team);
    ctx.Define(n.outputs[0], y);
    return Status::Ok();
  }
  Step s;
  s.what = n.Describe();
  s.inputs = {x};
  s.outputs = {y};
  s.strided_output = true;
  s.clampable = true;
  s.create = [geo, is_max](Plan& p, Step& st) {
    const Value& in = p.value(st.inputs[0]);
    const size_t ch = static_cast<size_t>(in.channels()), out_stride = p.value(st.outputs[0]).stride;
    auto u = [](int64_t v) { return static_cast<uint32_t>(v); };
    xnn_status r;
    if (is_max) {
      r = xnn_create_max_pooling2d_nhwc_f32(u(geo.pad_begin[0]), u(geo.pad_end[1]), u(geo.pad_end[0]),
                                            u(geo.pad_begin[1]), u(geo.kernel[0]), u(geo.kernel[1]),
                                            u(geo.strides[0]), u(geo.strides[1]), u(geo.dilations[0]),
                                            u(geo.dilations[1]), ch, in.stride, out_stride, st.output_min,
                                            st.output_max, 0, &st.op);
    } else {
      r = xnn_create_average_pooling2d_nhwc_f32(u(geo.pad_begin[0]), u(geo.pad_end[1]), u(geo.pad_end[0]),
                                                u(geo.pad_begin[1]), u(geo.kernel[0]), u(geo.kernel[1]),
                                                u(geo.strides[0]), u(geo.strides[1]), ch, in.stride, out_stride,
                                                st.output_min, st.output_max, 0, &st.op);
    }
    return XnnCheck(r, st.what, "create (pooling)");
  };
  s.setup = [batch, h, w, is_max](Plan& p, Step& st) {
    const float* in = p.Data(st.inputs[0]);
    float* out = p.Data(st.outputs[0]);
    const size_t nb = static_cast<size_t>(batch), hh = static_cast<size_t>(h), ww = static_cast<size_t>(w);
    xnn_status r = is_max ? xnn_setup_max_pooling2d_nhwc_f32(st.op, nb, hh, ww, in, out, p.pool())
                          : xnn_setup_average_pooling2d_nhwc_f32(st.op, nb, hh, ww, in, out, p.pool());
    return XnnCheck(r, st.what, "setup (pooling)");
  };
  plan.AddStep(std::move(s));
  ctx.Define(n.outputs[0], y);
  return Status::Ok();
}

}  // namespace edgerun::xnn
