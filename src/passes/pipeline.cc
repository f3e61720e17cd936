// Pass pipeline (no passes yet).
#include "passes/pipeline.h"

namespace edgerun::passes {

Result<OptLevel> ParseOptLevel(const std::string& s) {
  if (s == "none") return OptLevel::kNone;
  if (s == "basic") return OptLevel::kBasic;
  if (s == "all") return OptLevel::kAll;
  return InvalidArgument("unknown optimization level '" + s + "' (none, basic, all)");
}

Status OptimizeGraph(ir::Graph& graph, OptLevel level) { return Status::Ok(); }

}  // namespace edgerun::passes
