// Winograd F(4x4, 3x3) fp32 convolution for NHWC tensors on x86-64 with AVX2+FMA.
//
// 3x3, stride 1, dilation 1, group 1 convolutions with any zero padding. Each 4x4 output tile is
// computed from a 6x6 input tile with 36 multiplies per (input, output) channel pair instead of
// 144 (Lavin & Gray's F(4,3) matrices, points 0, +-1, +-2, inf). The weights are transformed once
// (Create) and packed for a register-blocked 6x16 AVX2/FMA GEMM per transform position; Run
// transforms blocks of input tiles, multiplies them, and applies the output transform with bias,
// residual and clamp fused, writing straight into y.
//
// Accuracy: error within ~2e-5 of the largest |output| for inputs and weights in [-1, 1] and up to
// 512 input channels (measured 1.6e-5 at c = 512; F(4,3) amplifies rounding more than a direct
// convolution does).
// Thread-safety: a Conv3x3 is immutable after Create; concurrent Runs need separate scratch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include <pthreadpool.h>

#include "edgerun/status.h"

namespace edgerun::xnn::winograd {

struct Conv3x3Params {
  int64_t n = 1, h = 0, w = 0, c = 0, m = 0;  // batch, input H/W, input channels, output channels
  int64_t pad_top = 1, pad_left = 1, pad_bottom = 1, pad_right = 1;  // stride 1, dilation 1, group 1 only
  const float* weights = nullptr;  // ONNX OIHW [m][c][3][3]; only read during Create
  const float* bias = nullptr;     // [m] or nullptr; copied during Create
  int64_t tile_block = 0;          // tiles per block (tuning; 0 = automatic)
};

// True when this kernel can run on this CPU (AVX2+FMA) — callers otherwise use another kernel.
bool Available();

class Conv3x3 {
 public:
  // Transforms and packs the weights once. Errors (as Status) for bad params.
  static Result<std::unique_ptr<Conv3x3>> Create(const Conv3x3Params& p);
  ~Conv3x3();
  Conv3x3(const Conv3x3&) = delete;
  Conv3x3& operator=(const Conv3x3&) = delete;

  int64_t out_h() const { return oh_; }
  int64_t out_w() const { return ow_; }
  // Scratch the caller provides to Run (no allocation in Run), for a pool of `threads` threads
  // (pthreadpool_get_threads_count; 1 for a null pool).
  size_t ScratchBytes(size_t threads) const;
  // x: NHWC [n,h,w,c], pixel stride x_stride (>= c). y: NHWC [n,out_h,out_w,m], pixel stride
  // y_stride (>= m), may be a channel slice of a wider tensor. z: optional residual, same geometry
  // as y, pixel stride z_stride (nullptr: none). Computes y = clamp(conv(x) + bias + z, lo, hi).
  // Parallel over `pool` (may be nullptr = caller thread). y must not overlap x.
  void Run(const float* x, size_t x_stride, float* y, size_t y_stride, const float* z, size_t z_stride,
           float lo, float hi, void* scratch, pthreadpool_t pool) const;
  // The same with threads from elsewhere (an OpenMP team): parallel(ctx, threads, task, arg) runs
  // task(arg, i) for every i in [0, threads) and returns when all are done; scratch is sized by
  // ScratchBytes(threads).
  using ParallelFn = void (*)(void* ctx, size_t threads, void (*task)(void*, size_t), void* arg);
  void Run(const float* x, size_t x_stride, float* y, size_t y_stride, const float* z, size_t z_stride,
           float lo, float hi, void* scratch, ParallelFn parallel, void* parallel_ctx, size_t threads) const;
  size_t PackedWeightBytes() const;

 private:
  struct FloatFree {
    void operator()(float* p) const;
  };
  using AlignedFloats = std::unique_ptr<float[], FloatFree>;
  // How Run splits the work for `threads` threads: items (tile block, output channel group), taken
  // dynamically by the threads, each with its own scratch slot. A group of several 16-channel
  // panels repeats the block's input transform; groups > 1 only when there are too few blocks.
  struct Schedule {
    int64_t block = 0, blocks = 0;           // tiles per block, number of blocks
    int64_t groups = 0, group_channels = 0;  // channel groups, channels per group (multiple of 16)
    size_t slot_bytes = 0;                   // scratch per thread
  };
  Conv3x3() = default;
  Schedule Plan(size_t threads) const;

  int64_t n_ = 0, h_ = 0, w_ = 0, c_ = 0, m_ = 0, pad_top_ = 0, pad_left_ = 0;
  int64_t oh_ = 0, ow_ = 0, tiles_h_ = 0, tiles_w_ = 0, tiles_ = 0;
  int64_t cp_ = 0, mp_ = 0;  // c and m rounded up to 8
  int64_t tile_block_ = 0;
  AlignedFloats u_;     // [36][panels of 16 (last may be 8)][c][panel width]
  AlignedFloats bias_;  // [mp], zero padded
};

}  // namespace edgerun::xnn::winograd
