// Op mappers: for each ONNX operator the XNNPACK provider runs, a claim test (static: op,
// attributes, initializers; called at session creation) and a mapper that adds the node's values
// and steps to a Plan for concrete shapes (called when a partition is planned for an input shape).
// A mapper that cannot map the node exactly for the given shapes returns Unsupported, and the
// partition then runs on the reference kernels instead.
// Thread-safety: claim tests are pure; mappers touch only the BuildContext they are given.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "kernels/xnnpack/xnnpack_plan.h"

namespace edgerun::xnn {

struct ChannelOpChain;  // xnnpack_channel_ops.cc
struct Conv1dState;     // xnnpack_conv1d_step.cc

struct BuildContext {
  const ir::Graph& graph;
  Plan& plan;
  std::map<std::string, int> value_of;      // ONNX value name -> plan value
  std::map<std::string, int> uses;          // consumers inside the partition (+1 if a partition output)
  std::set<std::string> partition_outputs;
  std::map<int, ChannelOpChain*> channel_chains;  // value -> the channel-op chain step writing it
  std::map<int, Conv1dState*> conv1d_outputs;     // value -> the conv1d step writing it

  // The plan value of node input i; Unsupported when it is missing, an initializer or not float.
  Result<int> Input(const ir::Node& node, size_t i) const;
  // The initializer named by node input i (nullptr when absent or not an initializer).
  const Tensor* Constant(const ir::Node& node, size_t i) const;
  void Define(const std::string& name, int v) { value_of[name] = v; }
  // True when `name` is read only once and only inside the partition, so its producer may be
  // changed (activation folded in, output written as a concat slice).
  bool SingleInternalUse(const std::string& name) const;
};

// Defines node.outputs[0] = clamp(input `in_name`, lo, hi), folding the clamp into the producer
// of the input when that is possible and exact, else adding a clamp step.
Status MapClampTo(BuildContext& ctx, const ir::Node& node, const std::string& in_name, float lo, float hi);
// Adds a clamp/sigmoid/... step reading value `in`, returning the new value.
enum class UnaryKind { kClamp, kSigmoid, kHardSwish, kLeakyRelu };
Result<int> AddUnary(BuildContext& ctx, const std::string& what, int in, UnaryKind kind, float a, float b);

// Adds out = a (op) b with numpy broadcasting over the values' physical shapes (both values
// must share a layout); output_min/max clamp the result. Returns the output value.
enum class BinaryKind { kAdd, kSub, kMul, kDiv };
Result<int> AddBinary(BuildContext& ctx, const std::string& what, BinaryKind kind, int a, int b, const Shape& out_shape,
                      float lo = kNoMin, float hi = kNoMax);
// Adds float constant `t`, broadcast-ranked to `rank` (leading 1s) and laid out for that rank.
int AddConstant(BuildContext& ctx, const Tensor& t, size_t rank);

// Float attribute list or tensor helpers.
bool IsFloatInitializer(const ir::Graph& g, const std::string& name);
// Rank declared for `name` in the graph's inputs/outputs/value_infos, or -1 when unknown.
int KnownRank(const ir::Graph& g, const std::string& name);

// The layout of a graph's plans (Plan::SetPlainLayout): channels-last for values of rank >= 3 when
// the graph has a node the provider runs in NHWC (Conv, FusedConv, MaxPool, AveragePool,
// GlobalAveragePool), else ONNX's own order ("plain"): models without feature maps, such as
// transformers and recurrent-free sequence models over [N, T, D] values whose last axis holds the
// features, then keep MatMul, Softmax and Reshape on that axis in XNNPACK.
bool PlainLayoutGraph(const ir::Graph& g);

// Per family: claim tests and mappers. `plain`: the graph's plans use the plain layout.
bool ClaimConv(const ir::Graph& g, const ir::Node& n);        // Conv, FusedConv
Status MapConv(BuildContext& ctx, const ir::Node& n);
bool ClaimPool(const ir::Graph& g, const ir::Node& n);        // MaxPool, AveragePool, GlobalAveragePool
Status MapPool(BuildContext& ctx, const ir::Node& n);
// Max pools planned with their rows split over oneDNN's OpenMP team, process-wide (for tests).
int64_t TeamMaxPoolSteps();
bool ClaimElementwise(const ir::Graph& g, const ir::Node& n, bool plain);  // Add/Sub/Mul/Div, Relu, Clip, Sigmoid, ...
Status MapElementwise(BuildContext& ctx, const ir::Node& n);
bool ClaimDense(const ir::Graph& g, const ir::Node& n, bool plain);        // Gemm, MatMul
Status MapDense(BuildContext& ctx, const ir::Node& n);
bool ClaimShapeOp(const ir::Graph& g, const ir::Node& n, bool plain);      // Flatten, Reshape, Concat, Pad, Softmax
Status MapShapeOp(BuildContext& ctx, const ir::Node& n);

// Element types of a graph's values as far as claims need them: a value is known float32 when it
// is declared so, is a float initializer, or comes (through dtype-preserving operators) from an
// operator whose outputs are always floating point. Not thread-safe (memoizes).
class GraphFacts {
 public:
  explicit GraphFacts(const ir::Graph& g);
  const ir::Graph& graph() const { return graph_; }
  // True when `g` is (still) the graph these facts describe.
  bool Describes(const ir::Graph& g) const;
  bool IsFloat(const std::string& name);
  bool plain() const { return plain_; }  // PlainLayoutGraph(graph())

 private:
  bool IsFloatAt(const std::string& name, int depth);
  const ir::Graph& graph_;
  size_t num_nodes_;
  std::string fingerprint_;
  std::map<std::string, size_t> producer_;
  std::map<std::string, DataType> declared_;
  std::map<std::string, bool> memo_;
  bool plain_ = false;
};

// Dispatch over the families above; every tensor input that is not an initializer must be
// known float32.
bool ClaimNode(const ir::Graph& g, const ir::Node& n, GraphFacts& facts);
Status MapNode(BuildContext& ctx, const ir::Node& n);

}  // namespace edgerun::xnn
