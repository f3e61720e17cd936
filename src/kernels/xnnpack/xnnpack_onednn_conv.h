// Convolutions of an XNNPACK plan run by oneDNN instead of XNNPACK. On this project's x86 targets
// (AVX2/FMA, no AVX-512) Debian's XNNPACK f32 convolution kernels reach 14-40 GFLOP/s where
// oneDNN's JIT kernels reach 20-100. Rule (numbers in xnnpack_onednn_conv.cc): every convolution
// but depthwise ones goes to oneDNN.
//
// The step reads and writes the plan's NHWC buffers directly (no activation reorders); the
// weights are reordered once, when the plan is finalized, into the layout the primitive prefers.
// Bias, FusedConv's residual Z (a binary-add post-op), its activation and any clamp folded into
// the convolution later are part of the primitive.
// Thread-safety: a OneDnnRuntime is used by one plan at a time (its owner serializes runs).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "kernels/xnnpack/xnnpack_plan.h"

namespace edgerun::xnn {

// The engine and stream of one partition kernel, and its thread count.
class OneDnnRuntime {
 public:
  // Returns nullptr (convolutions stay on XNNPACK) when oneDNN is disabled
  // (EDGERUN_XNNPACK_ONEDNN=0) or unusable. `threads` is the OpenMP team size per convolution.
  static std::shared_ptr<OneDnnRuntime> Create(int threads);
  ~OneDnnRuntime();
  struct Impl;
  Impl& impl() { return *impl_; }
  int threads() const { return threads_; }

 private:
  OneDnnRuntime() = default;
  std::unique_ptr<Impl> impl_;
  int threads_ = 1;
};

// The activation a convolution step applies after bias (and residual add).
enum class ConvActivation { kNone, kSigmoid, kHardSwish, kLeakyRelu };

struct OneDnnConvParams {
  int64_t group = 1, cg = 0, m = 0;       // groups, input channels per group, output channels
  int64_t kh = 1, kw = 1;
  std::vector<int64_t> strides, dilations, pad_begin, pad_end;  // 2 each (H, W)
  const float* weights = nullptr;  // ONNX OIHW (or OIW), outlives the plan
  const float* bias = nullptr;     // [m] or nullptr, outlives the plan
  bool has_z = false;              // inputs[1] is added to the result before the activation
  float act_lo = kNoMin, act_hi = kNoMax;  // clamp after the add, before `activation`
  ConvActivation activation = ConvActivation::kNone;
  float alpha = 0;                 // LeakyRelu slope
};

// Adds a convolution step reading x (and z when params.has_z) and writing a new value of
// `out_shape`, run by oneDNN; returns the output value, or -1 (adding nothing) when oneDNN cannot
// run this convolution with a JIT kernel on NHWC memory, so the caller maps it on XNNPACK.
int TryAddOneDnnConv(Plan& plan, const std::string& what, int x, int z, const Shape& out_shape,
                     const OneDnnConvParams& params);

// Convolution steps planned on oneDNN since process start (for tests).
int64_t OneDnnConvSteps();

// Runs task(arg, i) for every i in [0, threads) concurrently on the OpenMP team oneDNN uses, and
// returns when all are done (serially on the caller when threads <= 1 or OpenMP is not loaded).
// Steps of a plan that also runs oneDNN use it instead of the pthreadpool, so that consecutive
// steps do not wake two sets of worker threads that then spin against each other.
void OmpParallel(size_t threads, void (*task)(void*, size_t), void* arg);

// Sets a GEMM convolution step's setup (bind state->io to the plan's buffers) and run (state->conv
// over those buffers, split over the OpenMP team when state->threads > 1): the conv1d and conv2d
// steps. State has io (StepBuffers), conv (with the conv1d/conv2d Run signature) and threads.
template <typename State>
void SetTeamConvRun(Step& s, const std::shared_ptr<State>& state) {
  s.setup = [state](Plan& p, Step& st) -> Status {
    state->io.Bind(p, st);
    return Status::Ok();
  };
  s.run = [state]() -> Status {
    const StepBuffers& b = state->io;
    if (state->threads > 1) {
      state->conv->Run(b.x, b.x_stride, b.y, b.y_stride, b.z, b.z_stride, b.lo, b.hi, b.scratch,
                       [](void*, size_t n, void (*task)(void*, size_t), void* arg) { OmpParallel(n, task, arg); },
                       nullptr, state->threads);
    } else {
      state->conv->Run(b.x, b.x_stride, b.y, b.y_stride, b.z, b.z_stride, b.lo, b.hi, b.scratch);
    }
    return Status::Ok();
  };
}

}  // namespace edgerun::xnn
