// Static shapes of every value in a model, from ONNX's own shape inference (opsets <= 17,
// which libonnx 1.12 knows) merged with the model's declared value_info.
// Thread-safety: stateless function.
#pragma once

#include <map>
#include <string>

#include "edgerun/status.h"
#include "edgerun/tensor.h"
#include "ir/graph.h"

namespace edgerun::onnxio {

struct InferredShapes {
  // Value name -> type with (possibly symbolic) dims.
  std::map<std::string, ir::TypeInfo> types;
  // Empty when ONNX's shape inference ran; otherwise why it did not (e.g. opset too new).
  std::string note;
};

// Runs ONNX shape inference over serialized model bytes; never fails hard: on any problem the
// declared types are returned with `note` saying why inference was skipped.
InferredShapes InferShapes(const std::string& model_bytes, const ir::Graph& graph);

}  // namespace edgerun::onnxio
