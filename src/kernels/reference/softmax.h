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

}  // namespace edgerun
