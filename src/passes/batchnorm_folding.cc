// BatchNormalization folding: an inference-mode BN after a Conv or Gemm becomes new constant
// weights and bias of that node (per output channel: scale s = gamma / sqrt(var + eps),
// W' = W * s, B' = (B - mean) * s + beta). Float32 weights only; arithmetic in double.
// Thread-safety: see passes.h.
#include <cmath>

#include "passes/passes.h"

namespace edgerun::passes {

namespace {

struct BnParams {
  std::vector<double> scale;  // gamma / sqrt(var + eps)
  std::vector<double> shift;  // beta - mean * scale
};

std::optional<BnParams> ReadBn(const ir::Graph& g, const ir::Node& bn, const GraphIndex& idx, int64_t channels) {
  if (bn.inputs.size() != 5 || bn.outputs.empty()) return std::nullopt;
  for (size_t k = 1; k < bn.outputs.size(); ++k) {
    if (!bn.outputs[k].empty() && !idx.Unused(bn.outputs[k])) return std::nullopt;
  }
  if (bn.GetInt("training_mode", 0) != 0) return std::nullopt;
  if (bn.opset < 9 && bn.GetInt("spatial", 1) != 1) return std::nullopt;
  if (bn.opset < 7 && bn.GetInt("is_test", 0) != 1) return std::nullopt;
  const double eps = bn.GetFloat("epsilon", 1e-5f);
  const Tensor* t[4];
  for (int k = 0; k < 4; ++k) {
    t[k] = ConstantTensor(g, bn.inputs[static_cast<size_t>(k + 1)]);
    if (!t[k] || t[k]->dtype() != DataType::kFloat || t[k]->numel() != channels) return std::nullopt;
  }
  BnParams p;
  for (int64_t c = 0; c < channels; ++c) {
    const double s = t[0]->data<float>()[c] / std::sqrt(static_cast<double>(t[3]->data<float>()[c]) + eps);
    p.scale.push_back(s);
    p.shift.push_back(t[1]->data<float>()[c] - t[2]->data<float>()[c] * s);
  }
  return p;
}

Tensor FloatTensor(const Shape& shape) { return Tensor::Create(DataType::kFloat, shape).value(); }

// Conv(X, W, B) -> BN: scales W's output channels (dim 0) and shifts the bias.
bool FoldIntoConv(ir::Graph& g, ir::Node& conv, const BnParams& p) {
  const Tensor& w = g.initializers.at(conv.inputs[1]);
  const int64_t m = w.dim(0);
  const int64_t per = w.numel() / m;
  Tensor nw = FloatTensor(w.shape());
  for (int64_t o = 0; o < m; ++o) {
    for (int64_t k = 0; k < per; ++k) {
      nw.data<float>()[o * per + k] = static_cast<float>(w.data<float>()[o * per + k] * p.scale[static_cast<size_t>(o)]);
    }
  }
  Tensor nb = FloatTensor({m});
  const Tensor* b = conv.HasInput(2) ? &g.initializers.at(conv.inputs[2]) : nullptr;
  for (int64_t o = 0; o < m; ++o) {
    const double bo = b ? b->data<float>()[o] : 0.0;
    nb.data<float>()[o] = static_cast<float>(bo * p.scale[static_cast<size_t>(o)] + p.shift[static_cast<size_t>(o)]);
  }
  const std::string wn = FreshName(g, conv.inputs[1] + "_bn_folded");
  g.initializers[wn] = nw;
  const std::string bn_name = FreshName(g, (conv.HasInput(2) ? conv.inputs[2] : conv.name + "_bias") + "_bn_folded");
  g.initializers[bn_name] = nb;
  conv.inputs[1] = wn;
  if (conv.inputs.size() < 3) conv.inputs.resize(3);
  conv.inputs[2] = bn_name;
  return true;
}

// Gemm(A, B, C) -> BN over the N columns: scales B's columns, C' = s * (beta * C - mean) + bn_beta.
bool FoldIntoGemm(ir::Graph& g, ir::Node& gemm, const BnParams& p) {
  const Tensor& b = g.initializers.at(gemm.inputs[1]);
  const bool trans_b = gemm.GetInt("transB", 0) != 0;
  const int64_t rows = b.dim(0), cols = b.dim(1);
  const int64_t n = trans_b ? rows : cols;
  const double beta = gemm.GetFloat("beta", 1.0f);
  const Tensor* c = gemm.HasInput(2) ? ConstantTensor(g, gemm.inputs[2]) : nullptr;
  if (gemm.HasInput(2)) {
    if (!c || c->dtype() != DataType::kFloat || !(c->numel() == 1 || (c->numel() == n && c->shape().back() == n))) return false;
  }
  Tensor nb = FloatTensor(b.shape());
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t k = 0; k < cols; ++k) {
      const double s = p.scale[static_cast<size_t>(trans_b ? r : k)];
      nb.data<float>()[r * cols + k] = static_cast<float>(b.data<float>()[r * cols + k] * s);
    }
  }
  Tensor nc = FloatTensor({n});
  for (int64_t j = 0; j < n; ++j) {
    const double cj = c ? c->data<float>()[c->numel() == 1 ? 0 : j] : 0.0;
    nc.data<float>()[j] = static_cast<float>(beta * cj * p.scale[static_cast<size_t>(j)] + p.shift[static_cast<size_t>(j)]);
  }
  const std::string bname = FreshName(g, gemm.inputs[1] + "_bn_folded");
  g.initializers[bname] = nb;
  const std::string cname = FreshName(g, gemm.name + "_bias_bn_folded");
  g.initializers[cname] = nc;
  gemm.inputs[1] = bname;
  if (gemm.inputs.size() < 3) gemm.inputs.resize(3);
  gemm.inputs[2] = cname;
  ir::Attribute a;
  a.name = "beta";
  a.type = ir::Attribute::Type::kFloat;
  a.f = 1.0f;
  gemm.attributes["beta"] = a;
  return true;
}

// Channel count of the node BN would fold into, or -1 when it cannot fold.
int64_t FoldableChannels(const ir::Graph& g, const ir::Node& n) {
  if (!n.domain.empty() || n.outputs.size() != 1 || n.inputs.size() < 2) return -1;
  const Tensor* w = ConstantTensor(g, n.inputs[1]);
  if (!w || w->dtype() != DataType::kFloat || w->rank() < 2 || w->dim(0) == 0) return -1;
  if (n.HasInput(2)) {
    const Tensor* b = ConstantTensor(g, n.inputs[2]);
    if (!b || b->dtype() != DataType::kFloat) return -1;
  }
  if (n.op_type == "Conv") {
    if (n.HasInput(2) && g.initializers.at(n.inputs[2]).numel() != w->dim(0)) return -1;
    return w->dim(0);
  }
  if (n.op_type == "Gemm" && n.opset >= 7 && w->rank() == 2) return n.GetInt("transB", 0) ? w->dim(0) : w->dim(1);
  return -1;
}

}  // namespace

Result<bool> FoldBatchNorm(ir::Graph& graph, const PassContext& ctx) {
  GraphIndex idx(graph);
  std::vector<bool> erase(graph.nodes.size(), false);
  bool changed = false;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const ir::Node& bn = graph.nodes[i];
    if (bn.op_type != "BatchNormalization" || !bn.domain.empty() || bn.inputs.empty()) continue;
    const int prod = idx.Producer(bn.inputs[0]);
    if (prod < 0 || erase[static_cast<size_t>(prod)] || !idx.HasSingleUse(bn.inputs[0])) continue;
    ir::Node& node = graph.nodes[static_cast<size_t>(prod)];
    const int64_t channels = FoldableChannels(graph, node);
    if (channels <= 0) continue;
    auto p = ReadBn(graph, bn, idx, channels);
    if (!p) continue;
    const bool folded = node.op_type == "Conv" ? FoldIntoConv(graph, node, *p) : FoldIntoGemm(graph, node, *p);
    if (!folded) continue;
    node.outputs[0] = bn.outputs[0];
    erase[i] = true;
    changed = true;
  }
  if (changed) EraseNodes(graph, erase);
  return changed;
}

}  // namespace edgerun::passes
