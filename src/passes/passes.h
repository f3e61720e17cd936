// The graph passes, in the order pipeline.cc runs them. Each rewrites one graph in place (not
// its subgraphs), returns whether it changed anything, and never changes what the graph
// computes beyond float rounding. A pass skips what it cannot prove safe (unknown shapes,
// values read by subgraphs or exposed as graph outputs); errors are internal inconsistencies.
// Thread-safety: functions over a graph the caller owns.
#pragma once

#include "edgerun/status.h"
#include "ir/graph.h"
#include "passes/pass_util.h"

namespace edgerun::passes {

// Removes Identity, Dropout in inference mode, Cast to the input's own type, Reshape to the
// input's own static shape, Transpose by the identity permutation and pairs of Transposes that
// cancel; consumers are rewired to the original value.
Result<bool> RemoveRedundantNodes(ir::Graph& graph, const PassContext& ctx);

// Runs nodes whose inputs are all constants once through the reference kernels and replaces
// them by initializers; Shape/Size of statically shaped values fold too. Skips random ops,
// nodes with subgraphs, non-tensor results and tensors over 16 MiB.
Result<bool> FoldConstants(ir::Graph& graph, const PassContext& ctx);

// Folds an inference-mode BatchNormalization into the Conv or Gemm before it when that node's
// output has no other use and the weights and BN parameters are constants.
Result<bool> FoldBatchNorm(ir::Graph& graph, const PassContext& ctx);

// Removes nodes none of whose outputs are used (by a node, a subgraph or the graph outputs),
// then initializers and value_info entries nothing refers to.
Result<bool> EliminateDeadNodes(ir::Graph& graph, const PassContext& ctx);

// MatMul(A, B) + Add(bias) -> Gemm when A is 2-D, B a 2-D constant and bias a constant of shape
// [N], [1, N] or a scalar.
Result<bool> FuseMatMulAdd(ir::Graph& graph, const PassContext& ctx);

// Conv (or FusedConv without activation or residual) + Add(residual of the same shape) ->
// com.edgerun FusedConv with the residual as input Z.
Result<bool> FuseResidualAdd(ir::Graph& graph, const PassContext& ctx);

// Conv/FusedConv + Relu, Clip (constant bounds), Sigmoid, HardSigmoid, HardSwish (also written
// as Mul(x, HardSigmoid(x, 1/6, 0.5))), LeakyRelu or Tanh -> com.edgerun FusedConv with that
// activation.
Result<bool> FuseActivation(ir::Graph& graph, const PassContext& ctx);

}  // namespace edgerun::passes
