// Shared pieces of the recurrent reference kernels (RNN, GRU, LSTM): attribute parsing,
// activation functions, and reading inputs / writing outputs in either layout. Tensors are
// converted to double and normalized to the sequence-major layout (layout = 0):
//   X [seq, batch, input], initial states [dir, batch, hidden], Y [seq, dir, batch, hidden].
// Thread-safety: plain data and stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgerun/status.h"
#include "ir/graph.h"
#include "kernels/kernel.h"

namespace edgerun {

enum class RnnKind { kRnn, kGru, kLstm };

struct RnnActivation {
  enum class Fn { kRelu, kTanh, kSigmoid, kAffine, kLeakyRelu, kThresholdedRelu, kScaledTanh, kHardSigmoid, kElu,
                  kSoftsign, kSoftplus };
  Fn fn = Fn::kTanh;
  double alpha = 0.0;
  double beta = 0.0;
  double Apply(double x) const;
};

struct RnnConfig {
  RnnKind kind = RnnKind::kRnn;
  int64_t gates = 1;             // 1 (RNN), 3 (GRU: z r h), 4 (LSTM: i o f c)
  int64_t hidden_size = -1;      // -1: take it from R
  int64_t num_directions = 1;
  bool reverse = false;          // direction == "reverse"
  int64_t layout = 0;
  bool has_clip = false;
  double clip = 0.0;
  int64_t acts_per_direction = 1;
  std::vector<RnnActivation> activations;  // num_directions * acts_per_direction
  bool linear_before_reset = false;        // GRU
  bool input_forget = false;               // LSTM
  std::string desc;
};

// Validates and reads the attributes of an RNN/GRU/LSTM node; InvalidArgument naming the node.
Result<RnnConfig> ParseRnnConfig(const ir::Node& node, int opset, RnnKind kind);

struct RnnInputs {
  int64_t seq = 0;
  int64_t batch = 0;
  int64_t input = 0;
  int64_t hidden = 0;
  std::vector<double> x;     // [seq, batch, input]
  std::vector<double> w;     // [dir, gates * hidden, input]
  std::vector<double> r;     // [dir, gates * hidden, hidden]
  std::vector<double> b;     // [dir, 2 * gates * hidden]; zeros when absent
  std::vector<double> h0;    // [dir, batch, hidden]; zeros when absent
  std::vector<double> c0;    // LSTM: [dir, batch, hidden]; zeros when absent
  std::vector<double> p;     // LSTM: [dir, 3 * hidden]; zeros when absent
  Dims lens; // [batch]; seq when absent
};

// Reads and validates the node's inputs (shapes, sequence_lens range).
Result<RnnInputs> ReadRnnInputs(const RnnConfig& cfg, const KernelContext& ctx);

// Writes the wanted outputs (Y, Y_h and for LSTM Y_c) in the node's layout and X's dtype.
Status WriteRnnOutputs(const RnnConfig& cfg, const RnnInputs& in, const std::vector<double>& y,
                       const std::vector<double>& y_h, const std::vector<double>& y_c, KernelContext& ctx);

}  // namespace edgerun
