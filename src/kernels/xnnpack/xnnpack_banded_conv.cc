// Banded XNNPACK convolutions on the OpenMP team (see xnnpack_banded_conv.h).
//
// Band b produces output rows [r0, r1). It reads input rows from r0 * stride - pad_top up to the
// last row its windows touch, clipped to the image; what the clipping removes becomes that
// band's own top/bottom padding, so every band is an ordinary XNNPACK convolution.
#include "kernels/xnnpack/xnnpack_banded_conv.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "kernels/xnnpack/xnnpack_onednn_conv.h"

namespace edgerun::xnn {

namespace {

struct Band {
  int64_t out_begin = 0, out_rows = 0;  // output rows
  int64_t in_begin = 0, in_rows = 0;    // input rows read
  int64_t pad_top = 0, pad_bottom = 0;
  xnn_operator_t op = nullptr;
};

std::atomic<int64_t> g_banded_steps{0};

struct BandedState {
  std::vector<Band> bands;
  ~BandedState() {
    for (Band& b : bands) {
      if (b.op) xnn_delete_operator(b.op);
    }
  }
};

}  // namespace

int AddBandedConv(Plan& plan, const std::string& what, int x, const Shape& out_shape, const BandedConvParams& params) {
  const WindowGeometry& geo = params.geo;
  const int64_t oh = geo.out[0], ih = geo.in[0];
  const int64_t extent = (geo.kernel[0] - 1) * geo.dilations[0] + 1;
  auto state = std::make_shared<BandedState>();
  const int64_t n_bands = std::max<int64_t>(1, std::min<int64_t>(params.bands, oh));
  for (int64_t b = 0; b < n_bands; ++b) {
    Band band;
    band.out_begin = oh * b / n_bands;
    band.out_rows = oh * (b + 1) / n_bands - band.out_begin;
    const int64_t first = band.out_begin * geo.strides[0] - geo.pad_begin[0];       // first input row (may be < 0)
    const int64_t last = (band.out_begin + band.out_rows - 1) * geo.strides[0] - geo.pad_begin[0] + extent;  // one past
    band.in_begin = std::max<int64_t>(0, first);
    band.pad_top = band.in_begin - first;
    const int64_t in_end = std::min(ih, last);
    band.in_rows = in_end - band.in_begin;
    band.pad_bottom = last - in_end;
    state->bands.push_back(band);
  }
  const int y = plan.AddValue(out_shape);
  Step s = StridedClampStep(what, x, -1, y, params.lo, params.hi);
  s.openmp = true;
  const BandedConvParams p = params;
  s.create = [state, p](Plan& pl, Step& st) -> Status {
    const Value& in = pl.value(st.inputs[0]);
    const Value& out = pl.value(st.outputs[0]);
    auto u = [](int64_t v) { return static_cast<uint32_t>(v); };
    for (Band& b : state->bands) {
      xnn_status r = xnn_create_convolution2d_nhwc_f32(
          u(b.pad_top), u(p.geo.pad_end[1]), u(b.pad_bottom), u(p.geo.pad_begin[1]), u(p.geo.kernel[0]),
          u(p.geo.kernel[1]), u(p.geo.strides[0]), u(p.geo.strides[1]), u(p.geo.dilations[0]), u(p.geo.dilations[1]),
          u(p.group), static_cast<size_t>(p.cg), static_cast<size_t>(p.m / p.group), in.stride, out.stride, p.weights,
          p.bias, st.output_min, st.output_max, 0, &b.op);
      EDGERUN_RETURN_IF_ERROR(XnnCheck(r, st.what, "create (banded convolution)"));
    }
    if (std::getenv("EDGERUN_XNNPACK_VERBOSE")) {
      std::fprintf(stderr, "xnnpack: %s on XNNPACK as %zu bands of rows (OpenMP team)\n", st.what.c_str(),
                   state->bands.size());
    }
    return Status::Ok();
  };
  s.setup = [state, p](Plan& pl, Step& st) -> Status {
    const Value& in = pl.value(st.inputs[0]);
    const Value& out = pl.value(st.outputs[0]);
    const int64_t iw = p.geo.in[1], ow = p.geo.out[1];
    for (Band& b : state->bands) {
      const float* src = pl.Data(st.inputs[0]) + static_cast<size_t>(b.in_begin * iw) * in.stride;
      float* dst = pl.Data(st.outputs[0]) + static_cast<size_t>(b.out_begin * ow) * out.stride;
      xnn_status r = xnn_setup_convolution2d_nhwc_f32(b.op, static_cast<size_t>(in.shape[0]), static_cast<size_t>(b.in_rows),
                                                      static_cast<size_t>(iw), src, dst, nullptr);
      EDGERUN_RETURN_IF_ERROR(XnnCheck(r, st.what, "setup (banded convolution)"));
    }
    return Status::Ok();
  };
  const std::string w = what;
  s.run = [state, w]() -> Status {
    // Bands are taken from a counter, so a smaller team than asked for still runs them all.
    struct Ctx {
      BandedState* s;
      std::atomic<size_t> next{0};
      std::atomic<bool> failed{false};
    } ctx;
    ctx.s = state.get();
    OmpParallel(
        state->bands.size(),
        [](void* arg, size_t) {
          auto* c = static_cast<Ctx*>(arg);
          for (size_t i; (i = c->next.fetch_add(1)) < c->s->bands.size();) {
            if (xnn_run_operator(c->s->bands[i].op, nullptr) != xnn_status_success) c->failed = true;
          }
        },
        &ctx);
    if (ctx.failed) return Internal(w + ": XNNPACK run (banded convolution) failed");
    return Status::Ok();
  };
  plan.AddStep(std::move(s));
  g_banded_steps.fetch_add(1);
  return y;
}

int64_t BandedConvSteps() { return g_banded_steps.load(); }

}  // namespace edgerun::xnn
