// Graph optimization pipeline: ordered passes per level (none, basic, all).
// Thread-safety: stateless functions over a graph the caller owns.
#pragma once

#include <string>

#include "edgerun/status.h"
#include "ir/graph.h"

namespace edgerun::passes {

enum class OptLevel { kNone, kBasic, kAll };

// Parses "none", "basic", "all"; the error lists the accepted values.
Result<OptLevel> ParseOptLevel(const std::string& s);

// Rewrites `graph` in place (the main graph; subgraphs are left as they are). Never changes what
// the graph computes beyond float rounding; fails only on internal inconsistencies (a pass that
// left a malformed graph, named in the error). Malformed input graphs (cycles, undefined
// inputs, duplicate producers) are left untouched for the executor to report.
// basic: redundant nodes, constant folding, BatchNorm folding, dead nodes (to a fixed point);
// all: basic, then MatMul+Add -> Gemm, residual Add and activation fusion into com.edgerun
// FusedConv (adding that opset import to graph.opsets), then dead nodes.
Status OptimizeGraph(ir::Graph& graph, OptLevel level);

}  // namespace edgerun::passes
