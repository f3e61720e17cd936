// Wrapper over onnx::shape_inference.
#include "onnx/shape_inference.h"

#include <exception>

#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx/model_loader.h"

namespace edgerun::onnxio {

namespace {
constexpr int64_t kMaxOnnxSchemaOpset = 17;  // libonnx 1.12

void AddDeclared(const ir::Graph& g, InferredShapes* out) {
  for (const auto* list : {&g.inputs, &g.outputs, &g.value_infos}) {
    for (const auto& vi : *list) out->types[vi.name] = vi.type;
  }
  for (const auto& [name, t] : g.initializers) {
    ir::TypeInfo ti;
    ti.dtype = t.dtype();
    ti.has_shape = true;
    for (int64_t d : t.shape()) ti.dims.push_back({d, ""});
    out->types[name] = ti;
  }
}
}  // namespace

InferredShapes InferShapes(const std::string& model_bytes, const ir::Graph& graph) {
  InferredShapes out;
  AddDeclared(graph, &out);
  auto it = graph.opsets.find("");
  if (it != graph.opsets.end() && it->second > kMaxOnnxSchemaOpset) {
    out.note = "ONNX shape inference skipped: opset " + std::to_string(it->second) + " is newer than libonnx's schemas (" +
               std::to_string(kMaxOnnxSchemaOpset) + ")";
    return out;
  }
  onnx::ModelProto mp;
  if (!mp.ParseFromString(model_bytes)) {
    out.note = "ONNX shape inference skipped: model does not parse";
    return out;
  }
  try {
    onnx::ShapeInferenceOptions opts{false, 0, true};
    onnx::shape_inference::InferShapes(mp, onnx::OpSchemaRegistry::Instance(), opts);
  } catch (const std::exception& e) {
    out.note = std::string("ONNX shape inference failed: ") + e.what();
    return out;
  }
  // Re-read the annotated graph through our loader to reuse its type conversion.
  mp.mutable_graph()->clear_initializer();
  mp.mutable_graph()->clear_node();
  auto m = LoadModelFromBytes(mp.SerializeAsString(), "");
  if (!m.ok()) {
    out.note = "ONNX shape inference result unreadable: " + m.status().message();
    return out;
  }
  for (const auto& vi : m->graph->value_infos) out.types[vi.name] = vi.type;
  for (const auto& vi : m->graph->outputs) out.types[vi.name] = vi.type;
  return out;
}

}  // namespace edgerun::onnxio
