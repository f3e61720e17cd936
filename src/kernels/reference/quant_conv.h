// N-D grouped integer convolution shared by the ConvInteger and QLinearConv reference kernels:
// attribute parsing, output geometry (auto_pad, pads, strides, dilations) and a direct loop that
// accumulates (x - x_zero_point) * (w - w_zero_point) in 64 bits and wraps to int32.
// Thread-safety: pure functions and value types.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "edgerun/status.h"
#include "edgerun/tensor.h"
#include "ir/graph.h"

namespace edgerun {

struct IntConvAttrs {
  std::string auto_pad = "NOTSET";
  Dims kernel_shape, strides, dilations, pads;
  int64_t group = 1;
  std::string where;
};

// Reads auto_pad, kernel_shape, strides, dilations, pads and group; InvalidArgument for bad values.
Result<IntConvAttrs> ParseIntConvAttrs(const ir::Node& node);

struct IntConvPlan {
  int64_t batch = 0, in_channels = 0, out_channels = 0, group = 1;
  Dims in, kernel, out, strides, dilations, pad_begin;
  Shape out_shape;  // [N, M, out...]
};

// Checks x = [N, C, D...] against w = [M, C/group, K...] and computes the output geometry.
Result<IntConvPlan> PlanIntConv(const IntConvAttrs& a, const Shape& x, const Shape& w);

// Runs the convolution and calls sink(out_index, out_channel, acc) for every output element.
// w_zp has one element or one per output channel.
template <typename X, typename W, typename Sink>
void IntConv(const IntConvPlan& p, const X* x, const W* w, int32_t x_zp, const std::vector<int32_t>& w_zp,
             Sink&& sink) {
  const size_t rank = p.in.size();
  int64_t in_size = 1, out_size = 1, k_size = 1;
  for (size_t d = 0; d < rank; ++d) {
    in_size *= p.in[d];
    out_size *= p.out[d];
    k_size *= p.kernel[d];
  }
  const int64_t cg = p.in_channels / p.group, mg = p.out_channels / p.group;
  // Weights minus their zero point, and each kernel tap's spatial offsets.
  std::vector<int32_t> wv(static_cast<size_t>(p.out_channels * cg * k_size));
  for (int64_t m = 0; m < p.out_channels; ++m) {
    int32_t zp = w_zp.size() == 1 ? w_zp[0] : w_zp[m];
    for (int64_t i = 0; i < cg * k_size; ++i) wv[m * cg * k_size + i] = static_cast<int32_t>(w[m * cg * k_size + i]) - zp;
  }
  Dims taps(static_cast<size_t>(k_size * rank));
  for (int64_t t = 0; t < k_size; ++t) {
    int64_t r = t;
    for (size_t d = rank; d-- > 0;) {
      taps[t * rank + d] = (r % p.kernel[d]) * p.dilations[d];
      r /= p.kernel[d];
    }
  }
  Dims opos(rank), base(rank);
  Dims acc(static_cast<size_t>(mg));
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t g = 0; g < p.group; ++g) {
      const X* xg = x + (n * p.in_channels + g * cg) * in_size;
      const int32_t* wg = wv.data() + g * mg * cg * k_size;
      for (int64_t o = 0; o < out_size; ++o) {
        int64_t r = o;
        for (size_t d = rank; d-- > 0;) {
          opos[d] = r % p.out[d];
          r /= p.out[d];
          base[d] = opos[d] * p.strides[d] - p.pad_begin[d];
        }
        std::fill(acc.begin(), acc.end(), 0);
        for (int64_t t = 0; t < k_size; ++t) {
          int64_t off = 0;
          bool inside = true;
          for (size_t d = 0; d < rank; ++d) {
            int64_t c = base[d] + taps[t * rank + d];
            if (c < 0 || c >= p.in[d]) {
              inside = false;
              break;
            }
            off = off * p.in[d] + c;
          }
          if (!inside) continue;  // padding equals the zero point: contributes 0
          for (int64_t c = 0; c < cg; ++c) {
            int64_t xv = static_cast<int64_t>(xg[c * in_size + off]) - x_zp;
            if (xv == 0) continue;
            const int32_t* wt = wg + c * k_size + t;
            for (int64_t m = 0; m < mg; ++m) acc[m] += xv * wt[m * cg * k_size];
          }
        }
        for (int64_t m = 0; m < mg; ++m) {
          int64_t oc = g * mg + m;
          sink((n * p.out_channels + oc) * out_size + o, oc, static_cast<int32_t>(static_cast<uint32_t>(acc[m])));
        }
      }
    }
  }
}

}  // namespace edgerun
