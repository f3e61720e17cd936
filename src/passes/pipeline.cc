// Pass pipeline: the basic passes run to a fixed point (bounded), then the fusions, then a
// final dead-node sweep. Static shapes come from ONNX shape inference plus a fallback
// propagation (pass_util.h), recomputed whenever a round changed the graph.
#include "passes/pipeline.h"

#include "passes/passes.h"

namespace edgerun::passes {

namespace {

constexpr int kMaxRounds = 8;

using Pass = Result<bool> (*)(ir::Graph&, const PassContext&);

struct NamedPass {
  const char* name;
  Pass fn;
};

constexpr NamedPass kBasic[] = {
    {"redundant nodes", RemoveRedundantNodes},
    {"constant folding", FoldConstants},
    {"batchnorm folding", FoldBatchNorm},
    {"dead nodes", EliminateDeadNodes},
};

constexpr NamedPass kFusions[] = {
    {"matmul+add to gemm", FuseMatMulAdd},
    {"residual add fusion", FuseResidualAdd},
    {"activation fusion", FuseActivation},
    {"dead nodes", EliminateDeadNodes},
};

// The structure every pass must preserve: well formed, and every graph output still defined.
bool Verify(const ir::Graph& g) {
  if (!IsWellFormed(g)) return false;
  GraphIndex idx(g);
  for (const auto& vi : g.outputs) {
    if (idx.Producer(vi.name) >= 0 || g.IsInitializer(vi.name)) continue;
    bool is_input = false;
    for (const auto& in : g.inputs) is_input = is_input || in.name == vi.name;
    if (!is_input) return false;
  }
  return true;
}

Result<bool> RunPass(const NamedPass& p, ir::Graph& graph, const PassContext& ctx) {
  auto r = p.fn(graph, ctx);
  if (!r.ok()) return r.status().WithContext(std::string("pass '") + p.name + "'");
  // Cheap (linear) and run always: a broken rewrite fails here, naming the pass, instead of
  // surfacing later as a confusing executor error.
  if (*r && !Verify(graph)) return Internal(std::string("pass '") + p.name + "' left a malformed graph");
  return r;
}

}  // namespace

Result<OptLevel> ParseOptLevel(const std::string& s) {
  if (s == "none") return OptLevel::kNone;
  if (s == "basic") return OptLevel::kBasic;
  if (s == "all") return OptLevel::kAll;
  return InvalidArgument("unknown optimization level '" + s + "' (none, basic, all)");
}

Status OptimizeGraph(ir::Graph& graph, OptLevel level) {
  if (level == OptLevel::kNone || graph.nodes.empty()) return Status::Ok();
  // Malformed graphs are left alone: the executor reports their errors with full context.
  if (!Verify(graph)) return Status::Ok();
  // Shapes are recomputed after every round that changed the graph: folded constants (a
  // Reshape's target, say) let more shapes become static.
  PassContext ctx = MakePassContext(graph);
  bool stale = false;
  for (int round = 0; round < kMaxRounds; ++round) {
    if (stale) ctx = MakePassContext(graph);
    bool changed = false;
    for (const auto& p : kBasic) {
      bool c;
      EDGERUN_ASSIGN_OR_RETURN(c, RunPass(p, graph, ctx));
      changed = changed || c;
    }
    stale = changed;
    if (!changed) break;
  }
  if (level == OptLevel::kAll) {
    if (stale) ctx = MakePassContext(graph);
    for (const auto& p : kFusions) {
      bool c;
      EDGERUN_ASSIGN_OR_RETURN(c, RunPass(p, graph, ctx));
      (void)c;
    }
  }
  return Status::Ok();
}

}  // namespace edgerun::passes
