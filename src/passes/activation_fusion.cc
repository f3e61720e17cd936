// Activation fusion: Conv/FusedConv followed by Relu, Clip (constant bounds), Sigmoid,
// HardSigmoid, HardSwish (also as Mul(x, HardSigmoid(x, 1/6, 0.5))), LeakyRelu or Tanh becomes
// one FusedConv with that activation.
// Thread-safety: see passes.h.
#include <cmath>
#include <limits>

#include "passes/passes.h"

namespace edgerun::passes {

namespace {

// The activation name and parameters of `n`, or nullopt when it is not a fusable activation.
std::optional<std::pair<std::string, std::vector<float>>> ActivationOf(const ir::Graph& g, const ir::Node& n) {
  if (!n.domain.empty() || n.inputs.empty() || n.outputs.size() != 1) return std::nullopt;
  const std::string& op = n.op_type;
  if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "HardSwish") {
    if (n.inputs.size() != 1) return std::nullopt;
    return std::make_pair(op, std::vector<float>{});
  }
  if (op == "LeakyRelu" && n.inputs.size() == 1) return std::make_pair(op, std::vector<float>{n.GetFloat("alpha", 0.01f)});
  if (op == "HardSigmoid" && n.inputs.size() == 1) {
    return std::make_pair(op, std::vector<float>{n.GetFloat("alpha", 0.2f), n.GetFloat("beta", 0.5f)});
  }
  if (op == "Clip") {
    float lo = std::numeric_limits<float>::lowest(), hi = std::numeric_limits<float>::max();
    if (n.opset < 11) {
      lo = n.GetFloat("min", lo);
      hi = n.GetFloat("max", hi);
    } else {
      if (n.inputs.size() > 3) return std::nullopt;
      if (n.HasInput(1)) {
        auto v = ConstantScalar(g, n.inputs[1]);
        if (!v) return std::nullopt;
        lo = *v;
      }
      if (n.HasInput(2)) {
        auto v = ConstantScalar(g, n.inputs[2]);
        if (!v) return std::nullopt;
        hi = *v;
      }
    }
    return std::make_pair(op, std::vector<float>{lo, hi});
  }
  return std::nullopt;
}

void SetActivation(ir::Node& conv, const std::string& name, std::vector<float> params) {
  ir::Attribute a;
  a.name = "activation";
  a.type = ir::Attribute::Type::kString;
  a.s = name;
  conv.attributes["activation"] = a;
  ir::Attribute p;
  p.name = "activation_params";
  p.type = ir::Attribute::Type::kFloats;
  p.floats = std::move(params);
  conv.attributes["activation_params"] = p;
}

// HardSwish as exporters write it before opset 14: Mul(x, HardSigmoid(x, alpha=1/6, beta=0.5)).
// Returns the HardSigmoid's index when `mul` is that pattern, else -1.
int HardSwishPattern(const ir::Graph& g, const ir::Node& mul, const GraphIndex& idx, std::string* x) {
  if (mul.op_type != "Mul" || !mul.domain.empty() || mul.inputs.size() != 2 || mul.outputs.size() != 1) return -1;
  for (int side = 0; side < 2; ++side) {
    const std::string& hs_out = mul.inputs[static_cast<size_t>(side)];
    const std::string& other = mul.inputs[static_cast<size_t>(1 - side)];
    const int h = hs_out.empty() ? -1 : idx.Producer(hs_out);
    if (h < 0 || !idx.HasSingleUse(hs_out)) continue;
    const ir::Node& hs = g.nodes[static_cast<size_t>(h)];
    if (hs.op_type != "HardSigmoid" || !hs.domain.empty() || hs.inputs.size() != 1 || hs.inputs[0] != other) continue;
    if (std::fabs(hs.GetFloat("alpha", 0.2f) - 1.0f / 6.0f) > 1e-6f || hs.GetFloat("beta", 0.5f) != 0.5f) continue;
    if (idx.Consumers(other).size() != 2 || idx.IsGraphOutput(other) || idx.UsedBySubgraph(other)) continue;
    *x = other;
    return h;
  }
  return -1;
}

}  // namespace

Result<bool> FuseActivation(ir::Graph& graph, const PassContext& ctx) {
  GraphIndex idx(graph);
  std::vector<bool> erase(graph.nodes.size(), false);
  bool changed = false;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const ir::Node& act = graph.nodes[i];
    if (erase[i]) continue;
    std::string hs_input;
    const int hs = HardSwishPattern(graph, act, idx, &hs_input);
    if (hs >= 0 && !erase[static_cast<size_t>(hs)]) {
      const int prod = idx.Producer(hs_input);
      if (prod >= 0 && IsFusableConv(graph, graph.nodes[static_cast<size_t>(prod)], ctx, /*allow_residual=*/true)) {
        ir::Node& conv = graph.nodes[static_cast<size_t>(prod)];
        ConvertToFusedConv(graph, conv);
        SetActivation(conv, "HardSwish", {});
        conv.outputs[0] = act.outputs[0];
        erase[i] = erase[static_cast<size_t>(hs)] = true;
        changed = true;
        continue;
      }
    }
    auto a = ActivationOf(graph, act);
    if (!a || act.inputs[0].empty()) continue;
    const int prod = idx.Producer(act.inputs[0]);
    if (prod < 0 || !idx.HasSingleUse(act.inputs[0])) continue;
    ir::Node& conv = graph.nodes[static_cast<size_t>(prod)];
    if (!IsFusableConv(graph, conv, ctx, /*allow_residual=*/true)) continue;
    ConvertToFusedConv(graph, conv);
    SetActivation(conv, a->first, a->second);
    conv.outputs[0] = act.outputs[0];
    erase[i] = true;
    changed = true;
  }
  if (changed) EraseNodes(graph, erase);
  return changed;
}

}  // namespace edgerun::passes
