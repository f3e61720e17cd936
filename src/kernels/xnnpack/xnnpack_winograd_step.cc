// Winograd convolution steps inside an XNNPACK plan.
//
// Numbers behind the rule (this machine: AMD EPYC, AVX2/FMA, 1 thread; ms per layer, oneDNN's
// direct jit:avx2 vs Winograd, isolated, bench/winograd_bench.cc):
//   resnet18   64->64 @56: 2.84 vs 1.15    128->128 @28: 4.10 vs 0.93    256->256 @14: 3.86 vs 1.52
//              512->512 @7: 4.99 vs 3.12 in isolation, but its packed weights (36 MiB) exceed the
//              L3 cache and stream from memory every run (in-network: see the 12 MiB bound)
//   squeezenet 16->64 @55: 0.75 vs 0.45    32->128 @27: 0.81 vs 0.31     64->256 @13: 0.83 vs 0.37
#include "kernels/xnnpack/xnnpack_winograd_step.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "kernels/xnnpack/winograd_conv.h"
#include "kernels/xnnpack/xnnpack_onednn_conv.h"

namespace edgerun::xnn {

namespace {

constexpr int64_t kMinInputChannels = 8;
constexpr int64_t kMinOutputChannels = 16;
constexpr int64_t kMinOutputPixels = 64;
constexpr double kMaxPackedWeightBytes = 12.0 * 1024 * 1024;

std::atomic<int64_t> g_winograd_steps{0};

struct WinogradState {
  std::unique_ptr<winograd::Conv3x3> conv;
  size_t threads = 1;
  bool use_omp = false;
  std::shared_ptr<OneDnnRuntime> onednn;  // keeps the OpenMP team's owner alive
  StepBuffers io;
  pthreadpool_t pool = nullptr;
};

}  // namespace

bool WinogradApplies(int64_t c, int64_t m, int64_t out_h, int64_t out_w) {
  static const bool enabled = SwitchOn("EDGERUN_WINOGRAD") && winograd::Available();
  if (!enabled) return false;
  if (c < kMinInputChannels || m < kMinOutputChannels || out_h * out_w < kMinOutputPixels) return false;
  return 36.0 * static_cast<double>(c) * static_cast<double>(m) * sizeof(float) <= kMaxPackedWeightBytes;
}

int64_t WinogradConvSteps() { return g_winograd_steps.load(); }

int AddWinogradConv(Plan& plan, const std::string& what, int x, int z, const Shape& out_shape,
                    const WinogradConvParams& params) {
  const int y = plan.AddValue(out_shape);
  Step s = StridedClampStep(what, x, params.has_z ? z : -1, y, params.lo, params.hi);  // clamp after bias and Z
  auto state = std::make_shared<WinogradState>();
  state->onednn = plan.onednn();
  state->use_omp = state->onednn != nullptr;
  s.openmp = state->use_omp;
  const Shape in_shape = plan.value(x).shape;
  s.create = [state, params, in_shape](Plan& p, Step& st) -> Status {
    winograd::Conv3x3Params wp;
    wp.n = in_shape[0], wp.c = params.c, wp.h = in_shape[2], wp.w = in_shape[3], wp.m = params.m;
    wp.pad_top = params.pad_top, wp.pad_left = params.pad_left;
    wp.pad_bottom = params.pad_bottom, wp.pad_right = params.pad_right;
    wp.weights = params.weights;
    wp.bias = params.bias;
    auto conv = winograd::Conv3x3::Create(wp);
    if (!conv.ok()) return Unsupported(st.what + ": Winograd: " + conv.status().message());
    state->conv = std::move(conv).value();
    if (std::getenv("EDGERUN_XNNPACK_VERBOSE")) {
      std::fprintf(stderr, "xnnpack: %s on Winograd F(4x4,3x3) (%s)\n", st.what.c_str(),
                   state->use_omp ? "OpenMP team" : "pthreadpool");
    }
    state->threads = state->use_omp ? static_cast<size_t>(state->onednn->threads())
                     : p.pool()     ? std::max<size_t>(pthreadpool_get_threads_count(p.pool()), 1)
                                    : 1;
    p.NeedScratch(state->conv->ScratchBytes(state->threads));
    return Status::Ok();
  };
  s.setup = [state](Plan& p, Step& st) -> Status {
    state->io.Bind(p, st);
    state->pool = p.pool();
    return Status::Ok();
  };
  s.run = [state]() -> Status {
    const WinogradState& w = *state;
    const StepBuffers& b = w.io;
    if (w.use_omp) {
      w.conv->Run(b.x, b.x_stride, b.y, b.y_stride, b.z, b.z_stride, b.lo, b.hi, b.scratch,
                  [](void*, size_t n, void (*task)(void*, size_t), void* arg) { OmpParallel(n, task, arg); }, nullptr,
                  w.threads);
    } else {
      w.conv->Run(b.x, b.x_stride, b.y, b.y_stride, b.z, b.z_stride, b.lo, b.hi, b.scratch, w.pool);
    }
    return Status::Ok();
  };
  plan.AddStep(std::move(s));
  g_winograd_steps.fetch_add(1);
  return y;
}

}  // namespace edgerun::xnn
