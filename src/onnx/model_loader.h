// ONNX ModelProto -> IR. Validates structure (opsets, domains, tensor sizes) and converts
// attributes, initializers (inline or external data) and subgraphs.
// Thread-safety: stateless functions.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "edgerun/status.h"
#include "ir/graph.h"

namespace edgerun::onnxio {

struct Model {
  int64_t ir_version = 0;
  std::string producer_name;
  std::string producer_version;
  std::map<std::string, int64_t> opsets;  // domain ("" default) -> version
  std::shared_ptr<ir::Graph> graph;
  std::map<std::string, std::string> metadata;
};

// base_dir resolves external data; empty means the current directory.
Result<Model> LoadModelFromBytes(const std::string& bytes, const std::string& base_dir);
// The same over a byte range (a mapped file).
Result<Model> LoadModelFromArray(const char* data, size_t size, const std::string& base_dir);
Result<Model> LoadModelFromFile(const std::string& path);

}  // namespace edgerun::onnxio
