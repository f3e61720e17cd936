// 2-D fp32 convolution of NHWC tensors as a register-blocked GEMM over the input in place, x86-64
// AVX2+FMA.
//
// Output pixel p = (oh, ow) is one GEMM row; its receptive field is, per tap (i, j), the contiguous
// run of c input channels at input pixel (oh * stride_h + i * dilation_h - pad_top, ow * stride_w
// + j * dilation_w - pad_left). The rows read the input in place (a zero-padded copy when there is
// padding), with no im2col buffer. The weights are packed once (Create) into panels of 16 output
// channels, [panel][tap][ci][16]. Run multiplies 6 pixels by one panel at a time (the tile of
// gemm_tile_avx2.h), in blocks of up to 16 tiles per panel so that a panel stays in cache across
// the block, and applies bias, the residual z and the clamp before storing.
//
// This is the path for group-1 convolutions that oneDNN 2.6's direct jit:avx2 kernel runs at 45-60
// GFLOP/s on this project's machines (strided 3x3, and 3x3 on small feature maps such as
// resnet18's 7x7x512): numbers in xnnpack_conv2d_step.cc.
//
// Thread-safety: a Conv2d is immutable after Create; concurrent Runs need separate scratch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "edgerun/status.h"

namespace edgerun::xnn::conv2d {

struct Conv2dParams {
  int64_t n = 1, h = 0, w = 0, c = 0, m = 0;  // batch, input height and width, in/out channels
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;  // group 1 only
  const float* weights = nullptr;  // ONNX OIHW [m][c][kernel_h][kernel_w]; only read during Create
  const float* bias = nullptr;     // [m] or nullptr; copied during Create
};

// True when this kernel can run on this CPU (AVX2+FMA).
bool Available();

class Conv2d {
 public:
  // Packs the weights once. Errors (as Status) for bad params.
  static Result<std::unique_ptr<Conv2d>> Create(const Conv2dParams& p);
  ~Conv2d();
  Conv2d(const Conv2d&) = delete;
  Conv2d& operator=(const Conv2d&) = delete;

  int64_t out_h() const { return oh_; }
  int64_t out_w() const { return ow_; }
  // Scratch the caller provides to Run (the zero-padded copy of one image; no allocation in Run).
  size_t ScratchBytes() const;
  size_t PackedWeightBytes() const;
  // x: NHWC [n, h, w, c], pixel stride x_stride (>= c). y: NHWC [n, out_h, out_w, m], pixel stride
  // y_stride (>= m; y may be a channel slice of a wider tensor). z: optional residual of y's shape,
  // pixel stride z_stride (nullptr: none). Computes y = clamp(conv(x) + bias + z, lo, hi). y must
  // not overlap x or z. parallel(ctx, threads, task, arg) runs task(arg, i) for every i in
  // [0, threads) and returns when all are done (an OpenMP team); nullptr or threads 1: the calling
  // thread does all the work.
  using ParallelFn = void (*)(void* ctx, size_t threads, void (*task)(void*, size_t), void* arg);
  void Run(const float* x, size_t x_stride, float* y, size_t y_stride, const float* z, size_t z_stride, float lo,
           float hi, void* scratch, ParallelFn parallel = nullptr, void* parallel_ctx = nullptr,
           size_t threads = 1) const;

 private:
  struct FloatFree {
    void operator()(float* p) const;
  };
  using AlignedFloats = std::unique_ptr<float[], FloatFree>;
  struct Part {  // tiles [tile_begin, tile_end) x panels [panel_begin, panel_end) of one image
    int64_t tile_begin, tile_end, panel_begin, panel_end;
  };
  Conv2d() = default;
  // One image's part, from src (its padded copy or x itself) with pixel stride cs and row width wp.
  void RunPart(const float* src, int64_t cs, int64_t wp, float* yi, int64_t ys, const float* zi, int64_t zs, float lo,
               float hi, const Part& part) const;

  int64_t n_ = 0, h_ = 0, w_ = 0, c_ = 0, m_ = 0, kh_ = 1, kw_ = 1, sh_ = 1, sw_ = 1, dh_ = 1, dw_ = 1;
  int64_t pt_ = 0, pl_ = 0, pb_ = 0, pr_ = 0, oh_ = 0, ow_ = 0, panels_ = 0;
  bool copy_input_ = true;  // padding: Run copies each image into scratch (else reads x in place)
  AlignedFloats b_;         // [panels][kernel_h][kernel_w][c][16], zero past m
  AlignedFloats bias_;      // [panels * 16], zero past m
};

}  // namespace edgerun::xnn::conv2d
