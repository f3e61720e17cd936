// libonnx schema lookups.
#include "ops/op_schema.h"


#include "onnx/defs/schema.h"

namespace edgerun {

OpInputRequirements GetInputRequirements(const std::string& domain, const std::string& op_type, int opset) {
  OpInputRequirements r;
  // Newer opsets changed some signatures (axes as inputs at 18...): no guessing from old schemas.
  if (domain.empty() && opset > kNewestKnownOpset) return r;
  const onnx::OpSchema* schema = onnx::OpSchemaRegistry::Schema(op_type, opset, domain);
  if (schema == nullptr) return r;
  r.known = true;
  r.min_inputs = schema->min_input();
  r.max_inputs = schema->max_input();
  for (const auto& formal : schema->inputs()) {
    InputRequirement req;
    req.required = formal.GetOption() == onnx::OpSchema::Single;
    req.tensor_only = !formal.GetTypes().empty();
    for (const auto* type : formal.GetTypes()) {
      if (type->rfind("tensor(", 0) != 0) req.tensor_only = false;
      if (type->rfind("optional(", 0) == 0) req.accepts_none = true;
    }
    r.inputs.push_back(req);
  }
  return r;
}

}  // namespace edgerun
