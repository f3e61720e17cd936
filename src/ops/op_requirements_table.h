// The input requirements of libonnx's operator schemas as a sorted table, generated at build time
// (tools/gen_op_requirements.cc) so that lookups need no schema registry at run time.
// Thread-safety: immutable data.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgerun::op_table {

struct InputFlags {
  bool required;      // a single, non-optional formal input
  bool tensor_only;   // accepts only tensors
  bool accepts_none;  // accepts an optional type
};

struct SchemaEntry {
  const char* domain;  // "" for ai.onnx
  const char* op;
  int since_version;
  int min_inputs, max_inputs;
  uint32_t first_input, num_inputs;  // formal inputs: kInputs[first_input, first_input + num_inputs)
};

// Sorted by (domain, op, since_version).
extern const SchemaEntry kEntries[];
extern const size_t kNumEntries;
extern const InputFlags kInputs[];

}  // namespace edgerun::op_table
