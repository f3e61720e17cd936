// Batched integer matrix multiplication with numpy matmul broadcasting, shared by the
// MatMulInteger and QLinearMatMul reference kernels. Products accumulate in 64 bits and wrap to
// int32 as the ONNX int32 accumulator does.
// Thread-safety: pure functions and value types.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "edgerun/status.h"
#include "edgerun/tensor.h"

namespace edgerun {

// Shapes of a (possibly broadcast, possibly 1-D) matmul.
struct IntMatMulPlan {
  Shape out;
  int64_t m = 0, k = 0, n = 0;
  // For each output matrix: the index of the A and B matrices (in each operand's own batch dims).
  // Empty when the output has no elements.
  Dims a_batch, b_batch;
};

// numpy.matmul shape rules. InvalidArgument (prefixed with `where`) when K differs or batch dims
// do not broadcast.
Result<IntMatMulPlan> PlanIntMatMul(const Shape& a, const Shape& b, const std::string& where);

// A per-tensor, per-row or per-column quantization parameter (zero point or scale) of an
// operand: value(batch, idx) = values[batch * batch_stride + idx * idx_stride], where idx is the
// row (operand A) or column (operand B).
template <typename V>
struct MatParam {
  std::vector<V> values;
  int64_t batch_stride = 0;
  int64_t idx_stride = 0;
  V at(int64_t batch, int64_t idx) const { return values[batch * batch_stride + idx * idx_stride]; }
};

// Resolves the layout of a parameter of shape `p` for `operand`: one element (per-tensor); a 1-D
// tensor of the operand's row count M (rows=true) or column count N (rows=false); or the
// operand's shape with the reduced dim set to 1 ([..., M, 1] or [..., 1, N]). Returns
// {batch_stride, idx_stride} or InvalidArgument naming `what`.
Result<std::pair<int64_t, int64_t>> ResolveMatParam(const Shape& p, const Shape& operand, bool rows,
                                                    const std::string& what);

// Runs C = (A - a_zp) x (B - b_zp) and calls sink(out_index, batch, row, col, acc) per element.
template <typename A, typename B, typename Sink>
void IntMatMul(const IntMatMulPlan& plan, const A* a, const B* b, const MatParam<int32_t>& a_zp,
               const MatParam<int32_t>& b_zp, Sink&& sink) {
  const int64_t m = plan.m, k = plan.k, n = plan.n;
  Dims acc(static_cast<size_t>(n));
  std::vector<int32_t> bzp(static_cast<size_t>(n));
  int64_t out_index = 0;
  for (size_t bi = 0; bi < plan.a_batch.size(); ++bi) {
    const int64_t ab = plan.a_batch[bi], bb = plan.b_batch[bi];
    const A* am = a + ab * m * k;
    const B* bm = b + bb * k * n;
    for (int64_t j = 0; j < n; ++j) bzp[j] = b_zp.at(bb, j);
    for (int64_t i = 0; i < m; ++i) {
      std::fill(acc.begin(), acc.end(), 0);
      const int64_t azp = a_zp.at(ab, i);
      for (int64_t t = 0; t < k; ++t) {
        const int64_t av = static_cast<int64_t>(am[i * k + t]) - azp;
        if (av == 0) continue;
        const B* brow = bm + t * n;
        for (int64_t j = 0; j < n; ++j) acc[j] += av * (static_cast<int64_t>(brow[j]) - bzp[j]);
      }
      for (int64_t j = 0; j < n; ++j, ++out_index) {
        sink(out_index, static_cast<int64_t>(bi), i, j, static_cast<int32_t>(static_cast<uint32_t>(acc[j])));
      }
    }
  }
}

}  // namespace edgerun
