// Shared pass helpers.
#include "passes/pass_util.h"

#include <algorithm>
#include <memory>

#include "onnx/model_writer.h"
#include "onnx/shape_inference.h"
#include "ops/op_list.h"
#include "passes/static_shapes.h"

namespace edgerun::passes {

namespace {
// Initializers larger than this are declared, not written, for shape inference: it only reads
// small constants (shapes, axes, pads).
constexpr int64_t kShapeInferenceMaxInitializer = 4096;

const ir::TypeInfo* FindType(const PassContext& ctx, const std::string& name) {
  auto it = ctx.types.find(name);
  if (it == ctx.types.end() || it->second.kind != ir::TypeInfo::Kind::kTensor) return nullptr;
  return &it->second;
}
}  // namespace

std::optional<Shape> PassContext::StaticShape(const ir::Graph& g, const std::string& name) const {
  auto init = g.initializers.find(name);
  if (init != g.initializers.end()) return init->second.shape();
  const ir::TypeInfo* t = FindType(*this, name);
  if (!t || !t->has_shape) return std::nullopt;
  Shape s;
  for (const auto& d : t->dims) {
    if (!d.fixed()) return std::nullopt;
    s.push_back(d.value);
  }
  return s;
}

DataType PassContext::ElemType(const ir::Graph& g, const std::string& name) const {
  auto init = g.initializers.find(name);
  if (init != g.initializers.end()) return init->second.dtype();
  const ir::TypeInfo* t = FindType(*this, name);
  return t ? t->dtype : DataType::kUndefined;
}

int64_t PassContext::Rank(const ir::Graph& g, const std::string& name) const {
  auto init = g.initializers.find(name);
  if (init != g.initializers.end()) return init->second.rank();
  const ir::TypeInfo* t = FindType(*this, name);
  return t && t->has_shape ? static_cast<int64_t>(t->dims.size()) : -1;
}

bool PassContext::SameShape(const ir::Graph& g, const std::string& a, const std::string& b) const {
  auto dims_of = [&](const std::string& n, std::vector<ir::Dim>* out) {
    auto init = g.initializers.find(n);
    if (init != g.initializers.end()) {
      for (int64_t d : init->second.shape()) out->push_back({d, ""});
      return true;
    }
    const ir::TypeInfo* t = FindType(*this, n);
    if (!t || !t->has_shape) return false;
    *out = t->dims;
    return true;
  };
  std::vector<ir::Dim> da, db;
  if (!dims_of(a, &da) || !dims_of(b, &db) || da.size() != db.size()) return false;
  for (size_t i = 0; i < da.size(); ++i) {
    if (da[i].fixed() && db[i].fixed()) {
      if (da[i].value != db[i].value) return false;
    } else if (da[i].symbol.empty() || da[i].symbol != db[i].symbol) {
      return false;
    }
  }
  return true;
}

namespace {

// True when every node output of `graph` has a known element type and a fully static shape in
// `types` (no subgraphs).
bool EveryOutputStatic(const ir::Graph& graph, const std::map<std::string, ir::TypeInfo>& types) {
  for (const auto& n : graph.nodes) {
    for (const auto& [name, a] : n.attributes) {
      if (a.g || !a.graphs.empty()) return false;
    }
    for (const auto& o : n.outputs) {
      if (o.empty()) continue;
      auto it = types.find(o);
      if (it == types.end() || it->second.kind != ir::TypeInfo::Kind::kTensor || !it->second.has_shape ||
          it->second.dtype == DataType::kUndefined) {
        return false;
      }
      for (const auto& d : it->second.dims) {
        if (!d.fixed()) return false;
      }
    }
  }
  return true;
}

}  // namespace

PassContext MakePassContext(const ir::Graph& graph) {
  PassContext ctx;
  // Declared types plus the static propagation type every value of a fully static graph of
  // common operators (the zoo's CNNs and MLPs). Only when they do not is ONNX shape inference
  // run: it serializes the model and builds libonnx's schema registry (13-17 ms the first time,
  // most of a small model's session creation).
  for (const auto* list : {&graph.inputs, &graph.outputs, &graph.value_infos}) {
    for (const auto& vi : *list) ctx.types[vi.name] = vi.type;
  }
  PropagateStaticShapes(graph, &ctx.types);
  if (EveryOutputStatic(graph, ctx.types)) return ctx;
  onnxio::Model m;
  m.ir_version = onnxio::kDefaultIrVersion;
  m.opsets = graph.opsets;
  // Non-owning alias: the graph outlives this call.
  m.graph = std::shared_ptr<ir::Graph>(std::shared_ptr<ir::Graph>(), const_cast<ir::Graph*>(&graph));
  onnxio::WriteOptions wo;
  wo.max_initializer_elements = kShapeInferenceMaxInitializer;
  auto bytes = onnxio::SerializeModel(m, wo);
  if (!bytes.ok()) return ctx;  // declarations plus the static propagation, as built above
  onnxio::InferredShapes shapes = onnxio::InferShapes(*bytes, graph);
  ctx.types = std::move(shapes.types);
  PropagateStaticShapes(graph, &ctx.types);
  return ctx;
}

GraphIndex::GraphIndex(const ir::Graph& g) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    for (const auto& o : n.outputs) {
      if (!o.empty()) producer_[o] = static_cast<int>(i);
    }
    for (const auto& in : n.inputs) {
      if (!in.empty()) consumers_[in].push_back(i);
    }
    for (const auto& [an, a] : n.attributes) {
      if (a.g) {
        for (auto& s : a.g->OuterScopeNames()) subgraph_uses_.insert(s);
      }
      for (const auto& sg : a.graphs) {
        for (auto& s : sg->OuterScopeNames()) subgraph_uses_.insert(s);
      }
    }
  }
  for (const auto& vi : g.outputs) graph_outputs_.insert(vi.name);
}

int GraphIndex::Producer(const std::string& name) const {
  auto it = producer_.find(name);
  return it == producer_.end() ? -1 : it->second;
}

const std::vector<size_t>& GraphIndex::Consumers(const std::string& name) const {
  static const std::vector<size_t> kNone;
  auto it = consumers_.find(name);
  return it == consumers_.end() ? kNone : it->second;
}

bool GraphIndex::HasSingleUse(const std::string& name) const {
  return Consumers(name).size() == 1 && !IsGraphOutput(name) && !UsedBySubgraph(name);
}

bool GraphIndex::Unused(const std::string& name) const {
  return Consumers(name).empty() && !IsGraphOutput(name) && !UsedBySubgraph(name);
}

bool IsConstant(const ir::Graph& g, const std::string& name) {
  if (!g.IsInitializer(name)) return false;
  for (const auto& vi : g.inputs) {
    if (vi.name == name) return false;
  }
  return true;
}

const Tensor* ConstantTensor(const ir::Graph& g, const std::string& name) {
  if (!IsConstant(g, name)) return nullptr;
  return &g.initializers.at(name);
}

std::optional<float> ConstantScalar(const ir::Graph& g, const std::string& name) {
  const Tensor* t = ConstantTensor(g, name);
  if (!t || t->numel() != 1) return std::nullopt;
  if (t->dtype() == DataType::kFloat) return t->data<float>()[0];
  if (t->dtype() == DataType::kDouble) return static_cast<float>(t->data<double>()[0]);
  if (t->dtype() == DataType::kFloat16) return static_cast<float>(t->data<Half>()[0]);
  return std::nullopt;
}

void ReplaceUses(ir::Graph& g, const std::string& from, const std::string& to) {
  for (auto& n : g.nodes) {
    for (auto& in : n.inputs) {
      if (in == from) in = to;
    }
  }
}

void EraseNodes(ir::Graph& g, const std::vector<bool>& erase) {
  std::vector<ir::Node> kept;
  kept.reserve(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (i >= erase.size() || !erase[i]) kept.push_back(std::move(g.nodes[i]));
  }
  g.nodes = std::move(kept);
}

std::string FreshName(const ir::Graph& g, const std::string& base) {
  std::set<std::string> used;
  for (const auto& vi : g.inputs) used.insert(vi.name);
  for (const auto& vi : g.outputs) used.insert(vi.name);
  for (const auto& [n, t] : g.initializers) used.insert(n);
  for (const auto& n : g.nodes) {
    used.insert(n.name);
    for (const auto& o : n.outputs) used.insert(o);
    for (const auto& i : n.inputs) used.insert(i);
  }
  if (!used.count(base)) return base;
  for (int k = 1;; ++k) {
    std::string c = base + "_" + std::to_string(k);
    if (!used.count(c)) return c;
  }
}

bool HasSubgraph(const ir::Node& node) {
  for (const auto& [n, a] : node.attributes) {
    if (a.g || !a.graphs.empty()) return true;
  }
  return false;
}

bool IsWellFormed(const ir::Graph& g) {
  std::set<std::string> defined;
  for (const auto& vi : g.inputs) defined.insert(vi.name);
  for (const auto& [n, t] : g.initializers) defined.insert(n);
  std::map<std::string, size_t> producer;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto& o : g.nodes[i].outputs) {
      if (o.empty()) continue;
      if (defined.count(o) || !producer.emplace(o, i).second) return false;
    }
  }
  // Every direct input is defined, and the nodes can be ordered (no cycles).
  std::vector<int> pending(g.nodes.size(), 0);
  std::vector<std::vector<size_t>> users(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto& in : g.nodes[i].inputs) {
      if (in.empty() || defined.count(in)) continue;
      auto p = producer.find(in);
      if (p == producer.end()) return false;
      users[p->second].push_back(i);
      ++pending[i];
    }
  }
  std::vector<size_t> ready;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (pending[i] == 0) ready.push_back(i);
  }
  size_t done = 0;
  while (!ready.empty()) {
    size_t i = ready.back();
    ready.pop_back();
    ++done;
    for (size_t u : users[i]) {
      if (--pending[u] == 0) ready.push_back(u);
    }
  }
  return done == g.nodes.size();
}

}  // namespace edgerun::passes

namespace edgerun::passes {

bool IsFusableConv(const ir::Graph& g, const ir::Node& n, const PassContext& ctx, bool allow_residual) {
  if (n.outputs.size() != 1 || n.outputs[0].empty() || n.inputs.size() < 2) return false;
  if (n.domain.empty() && n.op_type == "Conv") {
    if (n.inputs.size() > 3) return false;
  } else if (n.domain == kEdgerunDomain && n.op_type == "FusedConv") {
    if (!n.GetString("activation", "").empty()) return false;
    if (!allow_residual && n.HasInput(3)) return false;
  } else {
    return false;
  }
  return ctx.ElemType(g, n.inputs[1]) == DataType::kFloat;
}

void ConvertToFusedConv(ir::Graph& g, ir::Node& n) {
  g.opsets[kEdgerunDomain] = 1;
  if (n.op_type == "FusedConv") return;
  n.op_type = "FusedConv";
  n.domain = kEdgerunDomain;
  n.opset = 1;
  ir::Attribute act;
  act.name = "activation";
  act.type = ir::Attribute::Type::kString;
  n.attributes["activation"] = act;
  ir::Attribute params;
  params.name = "activation_params";
  params.type = ir::Attribute::Type::kFloats;
  n.attributes["activation_params"] = params;
}

}  // namespace edgerun::passes
