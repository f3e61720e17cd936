// A small static shape propagation for common operators, used where ONNX shape inference could
// not run (opsets newer than libonnx's schemas) or left values unknown. Only fully static
// shapes are derived; anything unusual is left unknown.
// Thread-safety: stateless function.
#pragma once

#include <map>
#include <string>

#include "ir/graph.h"

namespace edgerun::passes {

// Adds a static type for every node output of `graph` that `types` lacks (or holds without a
// fully static shape) when the node is a supported operator whose inputs are statically shaped.
void PropagateStaticShapes(const ir::Graph& graph, std::map<std::string, ir::TypeInfo>* types);

}  // namespace edgerun::passes
