// Residual fusion: Add(conv(X, W, B), Z) with Z of the conv output's shape becomes
// FusedConv(X, W, B, Z); a following activation fuses later (activation_fusion.cc).
// Thread-safety: see passes.h.
#include "passes/passes.h"

namespace edgerun::passes {

Result<bool> FuseResidualAdd(ir::Graph& graph, const PassContext& ctx) {
  GraphIndex idx(graph);
  std::vector<bool> erase(graph.nodes.size(), false);
  bool changed = false;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const ir::Node& add = graph.nodes[i];
    if (add.op_type != "Add" || !add.domain.empty() || add.opset < 7 || add.inputs.size() != 2 ||
        add.outputs.size() != 1 || add.inputs[0].empty() || add.inputs[1].empty()) {
      continue;
    }
    for (int side = 0; side < 2; ++side) {
      const std::string& y = add.inputs[static_cast<size_t>(side)];
      const std::string& z = add.inputs[static_cast<size_t>(1 - side)];
      const int prod = idx.Producer(y);
      if (prod < 0 || erase[static_cast<size_t>(prod)] || !idx.HasSingleUse(y)) continue;
      const ir::Node& conv = graph.nodes[static_cast<size_t>(prod)];
      if (!IsFusableConv(graph, conv, ctx, /*allow_residual=*/false)) continue;
      if (!ctx.SameShape(graph, y, z) || !ctx.SameShape(graph, y, add.outputs[0])) continue;
      if (ctx.ElemType(graph, z) != DataType::kFloat) continue;
      // The fused node takes the Add's place: all of its inputs are computed before it.
      ir::Node fused = conv;
      ConvertToFusedConv(graph, fused);
      fused.inputs.resize(4);
      fused.inputs[3] = z;
      fused.outputs = add.outputs;
      graph.nodes[i] = std::move(fused);
      erase[static_cast<size_t>(prod)] = true;
      changed = true;
      break;
    }
  }
  if (changed) EraseNodes(graph, erase);
  return changed;
}

}  // namespace edgerun::passes
