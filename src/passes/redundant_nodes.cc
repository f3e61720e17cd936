// Removal of nodes that compute their input unchanged: Identity, inference-mode Dropout, Cast to
// the same type, Reshape to the same static shape, identity Transposes and cancelling pairs.
// Thread-safety: see passes.h.
#include <numeric>
#include <optional>

#include "passes/passes.h"

namespace edgerun::passes {

namespace {

std::optional<std::vector<int64_t>> Perm(const ir::Graph& g, const ir::Node& n, const PassContext& ctx) {
  if (n.HasAttribute("perm")) return n.GetInts("perm");
  const int64_t r = ctx.Rank(g, n.inputs[0]);
  if (r < 0) return std::nullopt;
  std::vector<int64_t> p(static_cast<size_t>(r));
  for (int64_t i = 0; i < r; ++i) p[static_cast<size_t>(i)] = r - 1 - i;
  return p;
}

bool IsIdentityPerm(const std::vector<int64_t>& p) {
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] != static_cast<int64_t>(i)) return false;
  }
  return true;
}

// The value `n`'s first output equals, or "" when `n` is not redundant.
std::string PassThroughInput(const ir::Graph& g, const ir::Node& n, const GraphIndex& idx, const PassContext& ctx) {
  if (!n.domain.empty() || n.inputs.empty() || n.inputs[0].empty() || n.outputs.empty() || n.outputs[0].empty()) return "";
  const std::string& in = n.inputs[0];
  if (n.op_type == "Identity" && n.inputs.size() == 1 && n.outputs.size() == 1) return in;
  if (n.op_type == "Dropout" && n.opset >= 7) {
    for (size_t k = 1; k < n.outputs.size(); ++k) {
      if (!n.outputs[k].empty() && !idx.Unused(n.outputs[k])) return "";
    }
    if (n.inputs.size() >= 3 && !n.inputs[2].empty()) {
      const Tensor* mode = ConstantTensor(g, n.inputs[2]);
      if (!mode || mode->dtype() != DataType::kBool || mode->numel() != 1 || mode->data<bool>()[0]) return "";
    }
    return in;
  }
  if (n.outputs.size() != 1) return "";
  if (n.op_type == "Cast" && n.inputs.size() == 1) {
    const DataType from = ctx.ElemType(g, in);
    if (from == DataType::kUndefined || from == DataType::kString) return "";
    return n.GetInt("to", -1) == static_cast<int64_t>(from) ? in : "";
  }
  if (n.op_type == "Reshape" && n.inputs.size() == 2) {
    auto a = ctx.StaticShape(g, in);
    auto b = ctx.StaticShape(g, n.outputs[0]);
    return a && b && *a == *b ? in : "";
  }
  if (n.op_type == "Transpose" && n.inputs.size() == 1) {
    auto p = Perm(g, n, ctx);
    if (!p) return "";
    if (IsIdentityPerm(*p)) return in;
    // Transpose(Transpose(x, p1), p2) == x when p1[p2[i]] == i.
    const int prod = idx.Producer(in);
    if (prod < 0 || !idx.HasSingleUse(in)) return "";
    const ir::Node& first = g.nodes[static_cast<size_t>(prod)];
    if (first.op_type != "Transpose" || !first.domain.empty() || first.inputs.size() != 1 || first.inputs[0].empty()) return "";
    auto p1 = Perm(g, first, ctx);
    if (!p1 || p1->size() != p->size()) return "";
    for (size_t i = 0; i < p->size(); ++i) {
      const int64_t j = (*p)[i];
      if (j < 0 || j >= static_cast<int64_t>(p1->size()) || (*p1)[static_cast<size_t>(j)] != static_cast<int64_t>(i)) return "";
    }
    return first.inputs[0];
  }
  return "";
}

// Removes node `i` whose output equals `in`. False when the rewrite is not possible.
bool Bypass(ir::Graph& g, size_t i, const std::string& in, const GraphIndex& idx) {
  const std::string out = g.nodes[i].outputs[0];
  if (idx.UsedBySubgraph(out)) return false;
  if (!idx.IsGraphOutput(out)) {
    ReplaceUses(g, out, in);
    g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(i));
    return true;
  }
  // The graph output keeps its name: the producer of `in` takes it over when the node being
  // removed is the only reader of `in`.
  const int prod = idx.Producer(in);
  if (prod < 0 || idx.IsGraphOutput(in) || idx.UsedBySubgraph(in)) return false;
  if (idx.Consumers(in).size() != 1 || idx.Consumers(in)[0] != i) return false;
  for (auto& o : g.nodes[static_cast<size_t>(prod)].outputs) {
    if (o == in) o = out;
  }
  g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(i));
  return true;
}

}  // namespace

Result<bool> RemoveRedundantNodes(ir::Graph& graph, const PassContext& ctx) {
  bool changed = false;
  for (bool again = true; again;) {
    again = false;
    GraphIndex idx(graph);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      const std::string in = PassThroughInput(graph, graph.nodes[i], idx, ctx);
      if (in.empty() || !Bypass(graph, i, in, idx)) continue;
      changed = again = true;
      break;  // the index is stale: rebuild it
    }
  }
  return changed;
}

}  // namespace edgerun::passes
