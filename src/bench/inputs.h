// Benchmark inputs: random (seeded), zeros, or read from files, checked against the model's
// declared inputs. Dynamic leading dims take the batch size; other dynamic dims take 1.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgerun/session.h"

namespace edgerun::bench {

struct InputSpec {
  enum class Mode { kRandom, kZeros, kFiles };
  Mode mode = Mode::kRandom;
  uint64_t seed = 1;
  int batch = 1;
  // kFiles: "FILE" (graph input order) or "NAME=FILE"; .pb TensorProto or .npy.
  std::vector<std::string> files;
  std::string Describe() const;
};

// The shape a generated input gets: fixed dims as declared, a dynamic dim 0 = batch, other
// dynamic dims 1. InvalidArgument when batch != 1 and dim 0 is fixed to another value.
Result<Shape> ConcreteShape(const TensorInfo& info, int batch);

// Checks a tensor against a declared input; the error names the input, the source and the dim.
Status CheckInputMatches(const TensorInfo& info, const Tensor& t, int batch, const std::string& source);

// Builds one tensor per declared input. Errors name the input (and file) at fault.
Result<std::vector<NamedTensor>> MakeInputs(const std::vector<TensorInfo>& declared, const InputSpec& spec);

}  // namespace edgerun::bench
