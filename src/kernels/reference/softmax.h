// Softmax helpers shared by the Softmax family and the loss kernels. Thread-safety: pure functions.
#pragma once

#include "kernels/reference/reduce_walk.h"

namespace edgerun {

enum class SoftmaxKind { kSoftmax, kLogSoftmax, kHardmax };

// Applies softmax / log-softmax / hardmax along the middle axis of `s` (outer x axis x inner,
// row-major), reading `in` and writing `out` (which may alias `in`). Computes in double.
// Hardmax marks the first maximal element with 1 and every other element with 0.
template <typename T>
void SoftmaxAlongAxis(SoftmaxKind kind, const AxisSplit& s, const T* in, T* out);

// The float fast path of Softmax / LogSoftmax over the last axis (s.inner == 1): each row's max,
// exp(x - max) vectorized (vector_math.h), the sum in float, then the scale (or the log-sum
// shift). Rows whose max is not finite go through SoftmaxAlongAxis (its inf/NaN semantics).
// Checked against SoftmaxAlongAxis<double> in softmax_test.cc.
void SoftmaxLastAxisF32(SoftmaxKind kind, const AxisSplit& s, const float* in, float* out);

}  // namespace edgerun
