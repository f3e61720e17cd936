// 2-D convolution steps inside an XNNPACK plan (the rule is in xnnpack_conv2d_step.h).
//
// Numbers behind the rule (this machine: AMD EPYC, AVX2/FMA; resnet18's convolutions in the
// network, median us per step over 60 runs, oneDNN 2.6 jit:avx2 -> this kernel):
//   1 thread:  64->128 3x3 s2 @56: 1740 -> 1331    128->256 3x3 s2 @28: 2026 -> 1351
//              256->512 3x3 s2 @14: 2357 -> 1556   512->512 3x3 @7 (x3): 4260-4450 -> 3100-3175
//   2 threads: the same, 1650 / 1459 / 1449 / 2580-2710 -> 971 / 917 / 1001 / 1953-1962
//   (the whole model at 1 thread: 35.3 -> 28.5 ms). The stem, 3->64 7x7 s2, was slower here
//   (2742 -> 3770: a tap's run is 3 channels), hence at least 16 input channels. 1x1 stays on
//   oneDNN's jit_1x1 (the same tile summed 7-8% slower over mobilenet_v2's 1x1 layers), except
//   where its output is a channel slice of a Concat: oneDNN writes only dense outputs, so its
//   result was copied into the concat (squeezenet1_1's expand1x1: 150 us of copies per run at 1
//   thread, serial at 2). squeezenet1_1 at 1 thread, minimum of 400 runs, three A/B pairs:
//   6808 / 6654 / 6598 -> 6535 / 6430 / 6509 us; at 2 threads within the noise.
#include "kernels/xnnpack/xnnpack_conv2d_step.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "kernels/xnnpack/conv2d_gemm.h"
#include "kernels/xnnpack/xnnpack_onednn_conv.h"

namespace edgerun::xnn {

namespace {

constexpr int64_t kMinChannels = 16;
// In sessions with 2+ threads, convolutions from this size on are split over oneDNN's OpenMP team.
constexpr double kMinFlopsToSplit = 1e5;

std::atomic<int64_t> g_conv2d_steps{0};

}  // namespace

struct Conv2dState {
  Conv2dStepParams params;
  std::unique_ptr<conv2d::Conv2d> conv;
  StepBuffers io;
  size_t threads = 1;                     // > 1: split over oneDNN's OpenMP team
  std::shared_ptr<OneDnnRuntime> onednn;  // keeps the team's owner alive
};

bool Conv2dApplies(int64_t c, int64_t m, int64_t kernel_h, int64_t kernel_w) {
  static const bool enabled = SwitchOn("EDGERUN_CONV2D") && conv2d::Available();
  return enabled && c >= kMinChannels && m >= kMinChannels && kernel_h * kernel_w > 1;
}

bool Conv2dAppliesPointwise(int64_t c, int64_t m) { return Conv2dApplies(c, m, 3, 3); }

int64_t Conv2dSteps() { return g_conv2d_steps.load(); }

int AddConv2d(BuildContext& ctx, const std::string& what, int x, int z, const Shape& out_shape,
              const Conv2dStepParams& params) {
  Plan& plan = ctx.plan;
  const int y = plan.AddValue(out_shape);
  Step s = StridedClampStep(what, x, params.has_z ? z : -1, y, params.lo, params.hi);  // clamp after bias and Z
  auto state = std::make_shared<Conv2dState>();
  state->params = params;
  const double flops = 2.0 * static_cast<double>(out_shape[0] * out_shape[2] * out_shape[3]) *
                       static_cast<double>(params.m * params.c * params.kernel_h * params.kernel_w);
  if (plan.onednn() && plan.onednn()->threads() > 1 && flops >= kMinFlopsToSplit) {
    state->onednn = plan.onednn();
    state->threads = static_cast<size_t>(state->onednn->threads());
    s.openmp = true;
  }
  const Shape in_shape = plan.value(x).shape;
  s.create = [state, in_shape](Plan& p, Step& st) -> Status {
    const Conv2dStepParams& params = state->params;
    conv2d::Conv2dParams cp;
    cp.n = in_shape[0], cp.c = params.c, cp.h = in_shape[2], cp.w = in_shape[3], cp.m = params.m;
    cp.kernel_h = params.kernel_h, cp.kernel_w = params.kernel_w;
    cp.stride_h = params.stride_h, cp.stride_w = params.stride_w;
    cp.dilation_h = params.dilation_h, cp.dilation_w = params.dilation_w;
    cp.pad_top = params.pad_top, cp.pad_left = params.pad_left;
    cp.pad_bottom = params.pad_bottom, cp.pad_right = params.pad_right;
    cp.weights = params.weights;
    cp.bias = params.bias;
    auto conv = conv2d::Conv2d::Create(cp);
    if (!conv.ok()) return Unsupported(st.what + ": conv2d: " + conv.status().message());
    state->conv = std::move(conv).value();
    if (std::getenv("EDGERUN_XNNPACK_VERBOSE")) std::fprintf(stderr, "xnnpack: %s on conv2d GEMM\n", st.what.c_str());
    p.NeedScratch(state->conv->ScratchBytes());
    return Status::Ok();
  };
  SetTeamConvRun(s, state);
  plan.AddStep(std::move(s));
  g_conv2d_steps.fetch_add(1);
  return y;
}

}  // namespace edgerun::xnn
