// Input requirements of ONNX operators, from libonnx's schemas as tabled at build time
// (ops/op_requirements_table.h; opsets up to 17; for newer opsets nothing is known and the
// kernels validate their inputs themselves).
// The executor uses them to reject nodes that omit required inputs before any kernel runs.
// Thread-safety: stateless; the table is immutable.
#pragma once

#include <string>
#include <vector>

namespace edgerun {

struct InputRequirement {
  bool required = false;     // a single, non-optional formal input
  bool tensor_only = false;  // accepts only tensors (no sequences or optionals)
  bool accepts_none = false; // accepts an optional type, whose value may be empty
};

struct OpInputRequirements {
  bool known = false;  // false when libonnx has no schema for the op
  int min_inputs = 0;
  int max_inputs = 0;
  // Per formal input; the last entry repeats for variadic inputs.
  std::vector<InputRequirement> inputs;
  const InputRequirement* ForIndex(size_t i) const {
    if (inputs.empty()) return nullptr;
    return i < inputs.size() ? &inputs[i] : &inputs.back();
  }
};

constexpr int kNewestKnownOpset = 17;  // libonnx 1.12

OpInputRequirements GetInputRequirements(const std::string& domain, const std::string& op_type, int opset);

}  // namespace edgerun
