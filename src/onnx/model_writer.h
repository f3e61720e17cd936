// IR -> ONNX ModelProto: nodes, attributes of every kind (subgraphs included), initializers as
// raw_data, inputs/outputs/value_info, opset imports and ir_version. The inverse of
// model_loader: a written model loads back to an equivalent graph.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>

#include "edgerun/status.h"
#include "ir/graph.h"
#include "onnx/model_loader.h"

namespace onnx {
class ModelProto;
class GraphProto;
}  // namespace onnx

namespace edgerun::onnxio {

struct WriteOptions {
  // Initializers with more elements than this are not written; they are declared as graph
  // inputs with their type and shape instead (for shape inference, which needs only small
  // constant values). Negative: write every initializer.
  int64_t max_initializer_elements = -1;
};

// ir_version written when the model does not carry one (IR v8: opsets up to 18-19 era).
constexpr int64_t kDefaultIrVersion = 8;

// Fills `graph_proto` from `graph`. InvalidArgument for values the ONNX format cannot hold.
Status GraphToProto(const ir::Graph& graph, onnx::GraphProto* graph_proto, const WriteOptions& options = {});

// Fills `proto`. Opset imports are the union of model.opsets and model.graph->opsets (the
// graph's versions win: passes add domains such as com.edgerun there).
Status ModelToProto(const Model& model, onnx::ModelProto* proto, const WriteOptions& options = {});

// Serialized ModelProto bytes; InvalidArgument when the model exceeds protobuf's 2 GiB limit.
Result<std::string> SerializeModel(const Model& model, const WriteOptions& options = {});

// Serializes and writes atomically (temp file, fsync, rename); IOError naming the path.
Status WriteModelToFile(const Model& model, const std::string& path);

}  // namespace edgerun::onnxio
