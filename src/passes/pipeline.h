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

// Rewrites `graph` in place (and its subgraphs where a pass supports them). Never changes what
// the graph computes beyond float rounding; fails only on internal inconsistencies.
Status OptimizeGraph(ir::Graph& graph, OptLevel level);

}  // namespace edgerun::passes
