// Input presence checks shared by the math family's kernels, so that a malformed model (a
// required input left empty, or a sequence where a tensor belongs) yields InvalidArgument
// instead of a null dereference.
#pragma once

#include <string>

#include "kernels/kernel.h"

namespace edgerun {

// OK when inputs [0, required) are present tensors and every further present input is a tensor.
inline Status CheckTensorInputs(const KernelContext& ctx, size_t required, const char* op) {
  for (size_t i = 0; i < required || i < ctx.num_inputs(); ++i) {
    const RValue* v = ctx.input_value(i);
    if (v == nullptr || v->is_none()) {
      if (i < required) return InvalidArgument(std::string(op) + ": required input " + std::to_string(i) + " is missing");
      continue;
    }
    if (!v->is_tensor() || !v->tensor.defined()) {
      return InvalidArgument(std::string(op) + ": input " + std::to_string(i) + " must be a tensor");
    }
  }
  return Status::Ok();
}

}  // namespace edgerun
