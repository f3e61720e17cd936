// Constant folding: nodes whose inputs are all constants run once through the reference
// kernels and become initializers; Shape and Size of statically shaped values become constants,
// which lets PyTorch's Shape -> Gather -> Unsqueeze -> Concat chains fold away.
// Thread-safety: the shared kernel registry is built once and only read afterwards.
#include <algorithm>
#include <memory>
#include <set>
#include <vector>

#include "kernels/kernel.h"
#include "ops/op_list.h"
#include "ops/op_schema.h"
#include "passes/passes.h"

namespace edgerun::passes {

namespace {

constexpr uint64_t kMaxFoldedBytes = uint64_t{16} << 20;

const KernelRegistry& Registry() {
  static const KernelRegistry* registry = [] {
    auto* r = new KernelRegistry();
    RegisterReferenceKernels(*r);
    return r;
  }();
  return *registry;
}

// Ops whose result is random, or whose output size can dwarf their inputs without a bound we
// check here.
bool NeverFold(const ir::Node& n) {
  static const std::set<std::string> kOps = {
      "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial", "Bernoulli",
      "Dropout", "OneHot", "EyeLike", "Resize", "Upsample", "Col2Im", "ConvTranspose", "If", "Loop", "Scan"};
  return !n.domain.empty() || kOps.count(n.op_type) > 0 || HasSubgraph(n);
}

int64_t Product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t d : v) {
    if (d < 0) return -1;
    if (d != 0 && p > (int64_t{1} << 40) / d) return -1;
    p *= d;
  }
  return p;
}

std::vector<int64_t> IntValues(const Tensor& t) {
  std::vector<int64_t> v;
  if (t.dtype() == DataType::kInt64) v.assign(t.data<int64_t>(), t.data<int64_t>() + t.numel());
  if (t.dtype() == DataType::kInt32) v.assign(t.data<int32_t>(), t.data<int32_t>() + t.numel());
  return v;
}

// Upper bound of the output elements of ops that expand their inputs; -1 when too big or unknown.
// Other ops produce outputs bounded by their inputs' sizes.
int64_t ExpandedElements(const ir::Node& n, const std::vector<const Tensor*>& in) {
  if (n.op_type == "ConstantOfShape" && in.size() >= 1 && in[0]) return Product(IntValues(*in[0]));
  if (n.op_type == "Expand" && in.size() >= 2 && in[0] && in[1]) {
    std::vector<int64_t> shape = IntValues(*in[1]);
    Shape a = in[0]->shape();
    size_t r = std::max(a.size(), shape.size());
    std::vector<int64_t> out(r, 1);
    for (size_t i = 0; i < r; ++i) {
      int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
      int64_t db = i < r - shape.size() ? 1 : shape[i - (r - shape.size())];
      out[i] = std::max(da, db);
    }
    return Product(out);
  }
  if (n.op_type == "Tile" && in.size() >= 2 && in[0] && in[1]) {
    int64_t reps = Product(IntValues(*in[1]));
    if (reps < 0 || (reps > 0 && in[0]->numel() > (int64_t{1} << 40) / reps)) return -1;
    return in[0]->numel() * reps;
  }
  if (n.op_type == "Range") return -1;  // folded only through the generic size check below
  return 0;
}

bool InputsValid(const ir::Node& n) {
  const OpInputRequirements req = GetInputRequirements(n.domain, n.op_type, n.opset);
  if (!req.known) return true;
  const int n_in = static_cast<int>(n.inputs.size());
  if (n_in < req.min_inputs || n_in > req.max_inputs) return false;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const InputRequirement* ri = req.ForIndex(i);
    if (ri && ri->required && n.inputs[i].empty()) return false;
  }
  return true;
}

// Runs `n` on constant inputs; false when it cannot or should not be folded.
bool Evaluate(const ir::Graph& g, const ir::Node& n, std::vector<Tensor>* outputs) {
  if (NeverFold(n) || n.outputs.empty() || !IsKnownOp(n.domain, n.op_type) || !InputsValid(n)) return false;
  std::vector<const Tensor*> tensors;
  for (const auto& in : n.inputs) {
    if (in.empty()) {
      tensors.push_back(nullptr);
      continue;
    }
    const Tensor* t = ConstantTensor(g, in);
    if (!t || t->nbytes() > kMaxFoldedBytes) return false;
    tensors.push_back(t);
  }
  if (n.op_type == "Range") {
    if (tensors.size() != 3 || !tensors[0] || !tensors[1] || !tensors[2]) return false;
    auto as_double = [](const Tensor& t) -> double {
      switch (t.dtype()) {
        case DataType::kFloat: return t.data<float>()[0];
        case DataType::kDouble: return t.data<double>()[0];
        case DataType::kInt64: return static_cast<double>(t.data<int64_t>()[0]);
        case DataType::kInt32: return t.data<int32_t>()[0];
        case DataType::kInt16: return t.data<int16_t>()[0];
        default: return 1e30;
      }
    };
    const double delta = as_double(*tensors[2]);
    const double count = delta == 0 ? 1e30 : (as_double(*tensors[1]) - as_double(*tensors[0])) / delta;
    if (count * 8 > static_cast<double>(kMaxFoldedBytes)) return false;
  } else {
    const int64_t expanded = ExpandedElements(n, tensors);
    if (expanded < 0 || static_cast<uint64_t>(expanded) * 8 > kMaxFoldedBytes) return false;
  }
  const KernelFactory* factory = Registry().Find(n.domain, n.op_type, n.opset);
  if (!factory) return false;
  KernelCreateContext kc{n, n.opset, nullptr};
  auto kernel = (*factory)(kc);
  if (!kernel.ok()) return false;
  std::vector<RValue> in_values;
  in_values.reserve(tensors.size());
  for (const Tensor* t : tensors) in_values.push_back(t ? RValue::FromTensor(*t) : RValue());
  std::vector<const RValue*> in_ptrs;
  for (size_t i = 0; i < in_values.size(); ++i) in_ptrs.push_back(tensors[i] ? &in_values[i] : nullptr);
  std::vector<RValue> outs(n.outputs.size());
  KernelContext ctx(n, in_ptrs, &outs, nullptr);
  if (!(*kernel)->Run(ctx).ok()) return false;
  outputs->clear();
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    if (n.outputs[i].empty()) {
      outputs->push_back(Tensor());
      continue;
    }
    if (!outs[i].is_tensor() || !outs[i].tensor.defined()) return false;
    if (outs[i].tensor.nbytes() > kMaxFoldedBytes) return false;
    outputs->push_back(outs[i].tensor);
  }
  return true;
}

// Shape/Size of a value with a fully static shape.
bool EvaluateShape(const ir::Graph& g, const ir::Node& n, const PassContext& ctx, std::vector<Tensor>* outputs) {
  if (!n.domain.empty() || (n.op_type != "Shape" && n.op_type != "Size")) return false;
  if (n.inputs.size() != 1 || n.inputs[0].empty() || n.outputs.size() != 1 || n.outputs[0].empty()) return false;
  std::optional<Shape> shape = ctx.StaticShape(g, n.inputs[0]);
  if (!shape) return false;
  if (n.op_type == "Size") {
    outputs->assign(1, Tensor::Scalar<int64_t>(DataType::kInt64, Product(*shape)));
    return true;
  }
  const int64_t rank = static_cast<int64_t>(shape->size());
  int64_t start = n.opset >= 15 ? n.GetInt("start", 0) : 0;
  int64_t end = n.opset >= 15 ? n.GetInt("end", rank) : rank;
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  const int64_t count = std::max<int64_t>(0, end - start);
  auto t = Tensor::Create(DataType::kInt64, {count});
  if (!t.ok()) return false;
  for (int64_t i = 0; i < count; ++i) t->data<int64_t>()[i] = (*shape)[static_cast<size_t>(start + i)];
  outputs->assign(1, std::move(t).value());
  return true;
}

}  // namespace

Result<bool> FoldConstants(ir::Graph& graph, const PassContext& ctx) {
  std::set<std::string> inputs;
  for (const auto& vi : graph.inputs) inputs.insert(vi.name);
  std::vector<bool> erase(graph.nodes.size(), false);
  bool changed = false;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const ir::Node& n = graph.nodes[i];
    std::vector<Tensor> outputs;
    if (!EvaluateShape(graph, n, ctx, &outputs) && !Evaluate(graph, n, &outputs)) continue;
    bool clash = false;
    for (const auto& o : n.outputs) clash = clash || (!o.empty() && (inputs.count(o) || graph.IsInitializer(o)));
    if (clash) continue;
    for (size_t k = 0; k < n.outputs.size(); ++k) {
      if (!n.outputs[k].empty()) graph.initializers[n.outputs[k]] = outputs[k];
    }
    erase[i] = true;
    changed = true;
  }
  if (changed) EraseNodes(graph, erase);
  return changed;
}

}  // namespace edgerun::passes
