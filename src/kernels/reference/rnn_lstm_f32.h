// LSTM in fp32 for float inputs: the fast path of the LSTM kernel (rnn_kernel.cc), checked
// against the double-precision reference recurrence (rnn_kernel_test.cc).
//
// Per direction, the input projections of all steps are one GEMM (X W^T + Wb + Rb); each step
// then adds R h(t-1) as 4H-wide multiply-adds over R^T and applies the gates with vectorized
// sigmoid and tanh (vector_math.h). Scratch lives in a per-thread buffer that only grows, so
// steady-state runs allocate only their outputs.
//
// It takes the common configurations: layout 0, the default activations (Sigmoid, Tanh, Tanh),
// any direction, clip, input_forget, peepholes, initial states and sequence_lens. Anything else
// (other dtypes or activations, layout 1, malformed inputs) returns false from LstmF32Applies and
// runs on the reference recurrence, which also reports the errors.
// Thread-safety: stateless; concurrent calls use separate per-thread scratch.
#pragma once

#include <cstdint>

#include "edgerun/status.h"
#include "kernels/kernel.h"
#include "kernels/reference/rnn_common.h"

namespace edgerun {

// True when the fast path can run this LSTM node's configuration (attributes only).
bool LstmF32Supports(const RnnConfig& cfg);

// True when ctx's inputs are float with the shapes the node needs (so RunLstmF32 cannot fail on
// them); false sends the call to the reference recurrence.
bool LstmF32Applies(const RnnConfig& cfg, const KernelContext& ctx);

// Computes the wanted outputs (Y, Y_h, Y_c). Requires LstmF32Supports and LstmF32Applies.
Status RunLstmF32(const RnnConfig& cfg, KernelContext& ctx);

// Runs of the fp32 path since process start (for tests).
int64_t LstmF32Runs();

}  // namespace edgerun
