// Static statistics of a model: operator histogram, parameters, estimated FLOPs per inference,
// and the nodes no registered kernel can run. Thread-safety: stateless functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "kernels/kernel.h"
#include "onnx/shape_inference.h"

namespace edgerun {

struct UnsupportedNode {
  std::string node;    // node.Describe()
  std::string reason;  // "unknown operator", "unknown domain 'x'", "no kernel for opset N"
};

struct ModelStats {
  std::map<std::string, int> op_histogram;  // includes nodes inside subgraphs
  int64_t node_count = 0;
  int64_t parameter_count = 0;  // elements in initializers
  int64_t parameter_bytes = 0;
  // Multiply-adds count as 2 FLOPs. Dynamic dims are taken as 1. flops_known is false when some
  // node's shapes were unknown (its FLOPs are then not counted).
  int64_t flops = 0;
  bool flops_known = true;
  std::vector<std::string> flops_unknown_nodes;
  std::map<std::string, int64_t> flops_by_op;
  std::vector<UnsupportedNode> unsupported;
};

ModelStats ComputeModelStats(const ir::Graph& graph, const onnxio::InferredShapes& shapes, const KernelRegistry& registry);

}  // namespace edgerun
