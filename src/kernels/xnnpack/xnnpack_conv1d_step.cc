// 1-D convolution steps inside an XNNPACK plan.
//
// Numbers behind the rule (this machine: AMD EPYC, AVX2/FMA, 1 thread; us per step, minimum over
// 20,000 runs of vibration_cnn1d in the network, oneDNN's jit:avx2 vs this kernel):
//   3->16  k7 @256 + MaxPool 2: 2.64 + 1.42 (pool step)  vs 3.07 fused
//   16->32 k5 @128 + MaxPool 2: 7.60 + 0.91              vs 7.42 fused
//   32->64 k5 @64  + MaxPool 2: 15.30 + 0.63             vs 14.00 fused
//   64->64 k3 @32:              9.87                     vs 9.11
// The whole model, the sum of its steps: 43.1 us before (XNNPACK's Sub, Mul and pools, oneDNN's
// convolutions) -> 34.3 us (with the channel-op step, xnnpack_channel_ops.h).
#include "kernels/xnnpack/xnnpack_conv1d_step.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "kernels/xnnpack/conv1d_gemm.h"
#include "kernels/xnnpack/xnnpack_onednn_conv.h"

namespace edgerun::xnn {

namespace {

constexpr int64_t kMinOutputChannels = 8;
constexpr double kMaxFlops = 4e6;  // oneDNN threads convolutions from here on
// In sessions with 2+ threads, convolutions from this size on are split by output positions over
// oneDNN's OpenMP team (whose workers stay awake between the plan's steps, where the pthreadpool's
// yield): vibration_cnn1d at 2 threads, minimum per step, split vs not: 3->16 k7 @256 (0.17 MFLOP)
// 2.83 vs 3.08 us, 16->32 k5 @128 4.71 vs 7.44, 32->64 k5 @64 8.46 vs 14.03, 64->64 k3 @32 5.59 vs
// 9.08; the whole plan 22 vs 34 us.
constexpr double kMinFlopsToSplit = 1e5;

std::atomic<int64_t> g_conv1d_steps{0};

// Multiply-adds x 2 of one image's convolution with out_w outputs.
double Flops(int64_t c, int64_t m, int64_t kernel, int64_t out_w) {
  return 2.0 * static_cast<double>(c) * static_cast<double>(m) * static_cast<double>(kernel) *
         static_cast<double>(out_w);
}

}  // namespace

struct Conv1dState {
  Conv1dStepParams params;
  int64_t pool = 1;  // 2 once a MaxPool is folded in
  bool pool_ceil = false;
  std::unique_ptr<conv1d::Conv1d> conv;
  StepBuffers io;
  size_t threads = 1;                     // > 1: split over oneDNN's OpenMP team
  std::shared_ptr<OneDnnRuntime> onednn;  // keeps the team's owner alive
};

bool Conv1dApplies(int64_t c, int64_t m, int64_t kernel, int64_t out_w) {
  static const bool enabled = SwitchOn("EDGERUN_CONV1D") && conv1d::Available();
  if (!enabled || m < kMinOutputChannels) return false;
  return Flops(c, m, kernel, out_w) < kMaxFlops;
}

int64_t Conv1dSteps() { return g_conv1d_steps.load(); }

int AddConv1d(BuildContext& ctx, const std::string& what, int x, int z, const Shape& out_shape,
              const Conv1dStepParams& params) {
  Plan& plan = ctx.plan;
  const int y = plan.AddValue(out_shape);
  Step s = StridedClampStep(what, x, params.has_z ? z : -1, y, params.lo, params.hi);  // clamp after bias and Z
  auto state = std::make_shared<Conv1dState>();
  state->params = params;
  const double flops = static_cast<double>(out_shape[0]) * Flops(params.c, params.m, params.kernel, out_shape[2]);
  if (plan.onednn() && plan.onednn()->threads() > 1 && flops >= kMinFlopsToSplit) {
    state->onednn = plan.onednn();
    state->threads = static_cast<size_t>(state->onednn->threads());
    s.openmp = true;
  }
  const Shape in_shape = plan.value(x).shape;
  s.create = [state, in_shape](Plan& p, Step& st) -> Status {
    const Conv1dStepParams& params = state->params;
    conv1d::Conv1dParams cp;
    cp.n = in_shape[0], cp.c = params.c, cp.w = in_shape[2], cp.m = params.m;
    cp.kernel = params.kernel, cp.stride = params.stride, cp.dilation = params.dilation;
    cp.pad_left = params.pad_left, cp.pad_right = params.pad_right;
    cp.weights = params.weights;
    cp.bias = params.bias;
    cp.pool = state->pool, cp.pool_ceil = state->pool_ceil;
    auto conv = conv1d::Conv1d::Create(cp);
    if (!conv.ok()) return Unsupported(st.what + ": conv1d: " + conv.status().message());
    state->conv = std::move(conv).value();
    if (std::getenv("EDGERUN_XNNPACK_VERBOSE")) {
      std::fprintf(stderr, "xnnpack: %s on conv1d GEMM%s\n", st.what.c_str(),
                   state->pool == 2 ? " with the following MaxPool fused" : "");
    }
    p.NeedScratch(state->conv->ScratchBytes());
    return Status::Ok();
  };
  SetTeamConvRun(s, state);
  plan.AddStep(std::move(s));
  ctx.conv1d_outputs[y] = state.get();
  g_conv1d_steps.fetch_add(1);
  return y;
}

bool FuseConv1dMaxPool2(BuildContext& ctx, int y, bool ceil_mode) {
  auto it = ctx.conv1d_outputs.find(y);
  if (it == ctx.conv1d_outputs.end() || it->second->pool != 1) return false;
  Value& v = ctx.plan.value(y);
  const int64_t w = v.shape[2], pooled = ceil_mode ? (w + 1) / 2 : w / 2;
  if (pooled < 1) return false;
  it->second->pool = 2;
  it->second->pool_ceil = ceil_mode;
  v.shape[2] = pooled;
  return true;
}

}  // namespace edgerun::xnn
