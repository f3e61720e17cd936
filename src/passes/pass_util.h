// Helpers the passes share: what is known about values (static types from shape inference,
// constants), who produces and consumes each value, and small graph edits (rewiring uses,
// erasing nodes, fresh names).
// Thread-safety: value types over a graph the caller owns; not synchronized.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "edgerun/tensor.h"
#include "ir/graph.h"

namespace edgerun::passes {

// Static knowledge shared by the passes of one pipeline run.
struct PassContext {
  // Value name -> type (possibly symbolic dims), from ONNX shape inference and declarations.
  std::map<std::string, ir::TypeInfo> types;

  // Fully static shape of `name` (initializers first, then `types`); nullopt if any dim is unknown.
  std::optional<Shape> StaticShape(const ir::Graph& g, const std::string& name) const;
  // Element type of `name`, kUndefined when unknown.
  DataType ElemType(const ir::Graph& g, const std::string& name) const;
  // Rank of `name`, -1 when unknown.
  int64_t Rank(const ir::Graph& g, const std::string& name) const;
  // True when both shapes are known to be equal (same rank; each dim fixed and equal, or the
  // same symbol).
  bool SameShape(const ir::Graph& g, const std::string& a, const std::string& b) const;
};

// Fills `types` by running ONNX shape inference over `graph` (large initializers left out).
// Never fails: unknown values are simply absent.
PassContext MakePassContext(const ir::Graph& graph);

// Producers and consumers of every value in one graph (subgraph references included as uses).
class GraphIndex {
 public:
  explicit GraphIndex(const ir::Graph& g);
  // Node producing `name`, or -1 (graph input, initializer, outer scope, or nothing).
  int Producer(const std::string& name) const;
  // Indices of the nodes that read `name` as a direct input (a node reading it twice appears twice).
  const std::vector<size_t>& Consumers(const std::string& name) const;
  bool IsGraphOutput(const std::string& name) const { return graph_outputs_.count(name) > 0; }
  // True when a subgraph of some node refers to `name` from its enclosing scope.
  bool UsedBySubgraph(const std::string& name) const { return subgraph_uses_.count(name) > 0; }
  // True when exactly one direct use exists, no subgraph use, and it is not a graph output:
  // the value can be fused away into its single consumer.
  bool HasSingleUse(const std::string& name) const;
  // True when nothing reads `name` (no node, subgraph or graph output).
  bool Unused(const std::string& name) const;

 private:
  std::map<std::string, int> producer_;
  std::map<std::string, std::vector<size_t>> consumers_;
  std::set<std::string> graph_outputs_;
  std::set<std::string> subgraph_uses_;
};

// True when `name` is an initializer that a caller cannot override (not also a graph input).
bool IsConstant(const ir::Graph& g, const std::string& name);
// The constant's tensor, or nullptr.
const Tensor* ConstantTensor(const ir::Graph& g, const std::string& name);
// Scalar value of a constant float tensor with one element.
std::optional<float> ConstantScalar(const ir::Graph& g, const std::string& name);

// Rewrites every direct input `from` of the graph's nodes to `to`.
void ReplaceUses(ir::Graph& g, const std::string& from, const std::string& to);
// Removes the nodes whose flag is set, keeping the order of the others.
void EraseNodes(ir::Graph& g, const std::vector<bool>& erase);
// A value name not used anywhere in `g`: `base`, or `base` + "_" + k.
std::string FreshName(const ir::Graph& g, const std::string& base);
// True when the node carries a subgraph attribute.
bool HasSubgraph(const ir::Node& node);
// True when every node output is produced once, no node redefines a graph input or initializer,
// every direct input is defined and the nodes have no cycle: the structure the passes rely on
// (otherwise the executor reports the error, with its context, on the untouched graph).
bool IsWellFormed(const ir::Graph& g);

}  // namespace edgerun::passes

namespace edgerun::passes {

// True for a Conv that can become a FusedConv, or a FusedConv without activation (and, when
// `allow_residual` is false, without Z). Only float32 weights fuse.
bool IsFusableConv(const ir::Graph& g, const ir::Node& n, const PassContext& ctx, bool allow_residual);
// Turns a Conv node into com.edgerun FusedConv (activation "", no Z) in place; no-op on a
// FusedConv. Adds the com.edgerun opset import to `g`.
void ConvertToFusedConv(ir::Graph& g, ir::Node& n);

}  // namespace edgerun::passes
