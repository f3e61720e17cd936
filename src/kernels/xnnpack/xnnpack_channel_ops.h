// Add/Sub/Mul/Div of a value by a per-channel (or scalar) constant, as one plan step that applies a
// whole chain of them in a single pass: y = (((x op1 k1) op2 k2) ...), clamped.
//
// Models normalize their raw inputs inside the graph ((x - mean) * inv_std per channel, the
// pattern PyTorch exports for sensor and image models). XNNPACK's broadcasting binary operators
// walk such tensors a few channels at a time: vibration_cnn1d's [1, 3, 256] Sub and Mul took
// 2.4 us each there, as much as a small convolution. This step does both in one pass over the
// data, each operation in the graph's order and precision (no reassociation into x * a + b).
//
// It applies to dense values of at most kMaxChannelOpElements elements whose constant varies at
// most along the value's innermost physical axis (channels for rank >= 3, the last axis otherwise);
// others take XNNPACK's operators.
// Thread-safety: a step is used by one plan at a time (its owner serializes runs).
#pragma once

#include <string>

#include "kernels/xnnpack/xnnpack_mappers.h"

namespace edgerun::xnn {

constexpr int64_t kMaxChannelOpElements = int64_t{1} << 16;

// Maps out = v (kind) k (or k (kind) v when k_first) where v is the plan value of ONNX value
// `v_name`: appended to the chain step that produces v when v has no other reader, else a new
// step. Returns the value holding the result, or -1 (adding nothing) when the rule above does not
// apply.
int TryAddChannelOp(BuildContext& ctx, const std::string& what, BinaryKind kind, const std::string& v_name, int v,
                    const Tensor& k, bool k_first);

// Channel-op chain steps planned since process start (for tests).
int64_t ChannelOpSteps();

}  // namespace edgerun::xnn
