// MatMul + Add -> Gemm: MatMul(A, B) with A 2-D and B a 2-D constant, followed by Add of a
// constant bias of shape [N], [1, N] or one element, becomes Gemm(A, B, bias).
// Thread-safety: see passes.h.
#include "passes/passes.h"

namespace edgerun::passes {

Result<bool> FuseMatMulAdd(ir::Graph& graph, const PassContext& ctx) {
  GraphIndex idx(graph);
  std::vector<bool> erase(graph.nodes.size(), false);
  bool changed = false;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const ir::Node& add = graph.nodes[i];
    if (add.op_type != "Add" || !add.domain.empty() || add.opset < 7 || add.inputs.size() != 2 || add.outputs.size() != 1) {
      continue;
    }
    for (int side = 0; side < 2; ++side) {
      const std::string& y = add.inputs[static_cast<size_t>(side)];
      const std::string& bias = add.inputs[static_cast<size_t>(1 - side)];
      const int prod = y.empty() ? -1 : idx.Producer(y);
      if (prod < 0 || erase[static_cast<size_t>(prod)] || !idx.HasSingleUse(y)) continue;
      const ir::Node& mm = graph.nodes[static_cast<size_t>(prod)];
      if (mm.op_type != "MatMul" || !mm.domain.empty() || mm.inputs.size() != 2 || mm.outputs.size() != 1) continue;
      const Tensor* b = ConstantTensor(graph, mm.inputs[1]);
      const Tensor* c = ConstantTensor(graph, bias);
      if (!b || !c || b->dtype() != DataType::kFloat || c->dtype() != DataType::kFloat || b->rank() != 2) continue;
      if (ctx.Rank(graph, mm.inputs[0]) != 2 || ctx.ElemType(graph, mm.inputs[0]) != DataType::kFloat) continue;
      const int64_t n = b->dim(1);
      const bool bias_ok = (c->rank() <= 2 && c->numel() == 1) || (c->rank() == 1 && c->dim(0) == n) ||
                           (c->rank() == 2 && c->dim(0) == 1 && c->dim(1) == n);
      if (!bias_ok) continue;
      ir::Node gemm;
      gemm.name = mm.name;
      gemm.op_type = "Gemm";
      gemm.opset = add.opset;
      gemm.inputs = {mm.inputs[0], mm.inputs[1], bias};
      gemm.outputs = add.outputs;
      graph.nodes[i] = std::move(gemm);
      erase[static_cast<size_t>(prod)] = true;
      changed = true;
      break;
    }
  }
  if (changed) EraseNodes(graph, erase);
  return changed;
}

}  // namespace edgerun::passes
