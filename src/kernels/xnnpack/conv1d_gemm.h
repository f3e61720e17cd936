// 1-D fp32 convolution of NWC tensors as one register-blocked GEMM, x86-64 AVX2+FMA.
//
// In NWC layout the receptive field of output position l is, per tap t, the contiguous run of c
// input channels at position l * stride + t * dilation - pad_left. So y[l][o] = sum over (t, ci) of
// x[..][ci] * w[o][ci][t] is a GEMM whose A rows are read in place from the (zero-padded) input:
// no im2col buffer. The weights are packed once (Create) into panels of 16 output channels,
// [panel][tap][ci][16]; Run multiplies 6 output positions by one panel at a time (12 accumulator
// registers) and applies bias, the residual z and the clamp before storing.
//
// Small 1-D convolutions (vibration and audio models: 3-64 channels, kernels 3-7, 32-256 steps)
// spend most of their time outside the arithmetic in general-purpose kernels; this one reaches
// 85-90 GFLOP/s on one core of this project's AVX2 machines (xnnpack_conv1d_step.cc has numbers).
//
// Thread-safety: a Conv1d is immutable after Create; concurrent Runs need separate scratch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "edgerun/status.h"

namespace edgerun::xnn::conv1d {

struct Conv1dParams {
  int64_t n = 1, w = 0, c = 0, m = 0;  // batch, input width, input channels, output channels
  int64_t kernel = 1, stride = 1, dilation = 1, pad_left = 0, pad_right = 0;  // group 1 only
  const float* weights = nullptr;  // ONNX OIW [m][c][kernel]; only read during Create
  const float* bias = nullptr;     // [m] or nullptr; copied during Create
  // 1, or 2: a max pool of window 2, stride 2 and no padding follows (ceil_mode: pool_ceil) and is
  // applied before the store, halving what is written (the Conv-Relu-MaxPool block of 1-D CNNs).
  int64_t pool = 1;
  bool pool_ceil = false;
};

// True when this kernel can run on this CPU (AVX2+FMA).
bool Available();

class Conv1d {
 public:
  // Packs the weights once. Errors (as Status) for bad params.
  static Result<std::unique_ptr<Conv1d>> Create(const Conv1dParams& p);
  ~Conv1d();
  Conv1d(const Conv1d&) = delete;
  Conv1d& operator=(const Conv1d&) = delete;

  int64_t out_w() const { return pool_ == 2 ? pooled_w_ : ow_; }  // after the pool
  // Scratch the caller provides to Run (the zero-padded copy of one image; no allocation in Run).
  size_t ScratchBytes() const;
  size_t PackedWeightBytes() const;
  // x: NWC [n, w, c], position stride x_stride (>= c). y: NWC [n, out_w, m], position stride
  // y_stride (>= m; y may be a channel slice of a wider tensor). z: optional residual with the
  // convolution's (unpooled) geometry and position stride z_stride (nullptr: none). Computes
  // y = pool(clamp(conv(x) + bias + z, lo, hi)) on the calling thread. y must not overlap x.
  void Run(const float* x, size_t x_stride, float* y, size_t y_stride, const float* z, size_t z_stride, float lo,
           float hi, void* scratch) const;
  // The same split over `threads` threads by output positions: parallel(ctx, threads, task, arg)
  // runs task(arg, i) for every i in [0, threads) and returns when all are done (an OpenMP team).
  using ParallelFn = void (*)(void* ctx, size_t threads, void (*task)(void*, size_t), void* arg);
  void Run(const float* x, size_t x_stride, float* y, size_t y_stride, const float* z, size_t z_stride, float lo,
           float hi, void* scratch, ParallelFn parallel, void* parallel_ctx, size_t threads) const;

 private:
  struct FloatFree {
    void operator()(float* p) const;
  };
  using AlignedFloats = std::unique_ptr<float[], FloatFree>;
  Conv1d() = default;
  // Outputs [l_begin, l_end) of one image (l_begin a multiple of the tile height) from src, its
  // (padded) input with position stride cs.
  void RunRows(const float* src, int64_t cs, float* yi, int64_t ys, const float* zi, int64_t zs, float lo, float hi,
               int64_t l_begin, int64_t l_end) const;

  int64_t n_ = 0, w_ = 0, c_ = 0, m_ = 0, kernel_ = 0, stride_ = 1, dilation_ = 1, pad_left_ = 0, pad_right_ = 0;
  int64_t ow_ = 0, panels_ = 0, pool_ = 1, pooled_w_ = 0;
  bool copy_input_ = true;  // padding: Run copies each image into scratch (else reads x in place)
  AlignedFloats b_;         // [panels][kernel][c][16], zero past m
  AlignedFloats bias_;      // [panels * 16], zero past m
};

}  // namespace edgerun::xnn::conv1d
