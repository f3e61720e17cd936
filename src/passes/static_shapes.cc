// Static shape propagation for common operators (elementwise, Conv, pooling, Gemm, MatMul,
// Flatten, Reshape, Transpose, Concat, Squeeze/Unsqueeze, the Reduce* family, Resize).
#include "passes/static_shapes.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <vector>

#include "kernels/reference/conv_geometry.h"

namespace edgerun::passes {

namespace {

struct Known {
  DataType dtype = DataType::kUndefined;
  Shape shape;
};

using Types = std::map<std::string, ir::TypeInfo>;

std::optional<Known> Lookup(const ir::Graph& g, const Types& types, const std::string& name) {
  auto init = g.initializers.find(name);
  if (init != g.initializers.end()) return Known{init->second.dtype(), init->second.shape()};
  auto it = types.find(name);
  if (it == types.end() || it->second.kind != ir::TypeInfo::Kind::kTensor || !it->second.has_shape) return std::nullopt;
  Known k{it->second.dtype, {}};
  for (const auto& d : it->second.dims) {
    if (!d.fixed()) return std::nullopt;
    k.shape.push_back(d.value);
  }
  return k;
}

// The initializer `name` when it is a constant (not also a graph input, which could override it).
const Tensor* ConstTensor(const ir::Graph& g, const std::string& name) {
  auto it = g.initializers.find(name);
  if (it == g.initializers.end()) return nullptr;
  for (const auto& vi : g.inputs) {
    if (vi.name == name) return nullptr;
  }
  return &it->second;
}

// Values of a constant integer tensor.
std::optional<std::vector<int64_t>> ConstInts(const ir::Graph& g, const std::string& name) {
  const Tensor* c = ConstTensor(g, name);
  if (c == nullptr) return std::nullopt;
  const Tensor& t = *c;
  if (t.dtype() == DataType::kInt64) return std::vector<int64_t>(t.data<int64_t>(), t.data<int64_t>() + t.numel());
  if (t.dtype() == DataType::kInt32) return std::vector<int64_t>(t.data<int32_t>(), t.data<int32_t>() + t.numel());
  return std::nullopt;
}

// Values of a constant float tensor, as double.
std::optional<std::vector<double>> ConstFloats(const ir::Graph& g, const std::string& name) {
  const Tensor* c = ConstTensor(g, name);
  if (c == nullptr) return std::nullopt;
  const Tensor& t = *c;
  if (t.dtype() == DataType::kFloat) return std::vector<double>(t.data<float>(), t.data<float>() + t.numel());
  if (t.dtype() == DataType::kDouble) return std::vector<double>(t.data<double>(), t.data<double>() + t.numel());
  return std::nullopt;
}

// Element count of an optional input: nullopt when it is given but not a constant.
std::optional<int64_t> ConstInputCount(const ir::Graph& g, const ir::Node& n, size_t i) {
  if (n.inputs.size() <= i || n.inputs[i].empty()) return 0;
  const Tensor* c = ConstTensor(g, n.inputs[i]);
  if (c == nullptr) return std::nullopt;
  return c->numel();
}

std::optional<Shape> Broadcast(const std::vector<Shape>& shapes) {
  size_t r = 0;
  for (const auto& s : shapes) r = std::max(r, s.size());
  Shape out(r, 1);
  for (const auto& s : shapes) {
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t& o = out[r - s.size() + i];
      const int64_t d = s[i];
      if (d == o || d == 1) continue;
      if (o != 1) return std::nullopt;
      o = d;
    }
  }
  return out;
}

// *acc *= v; false (leaving the shape unknown) when that overflows: shapes come from the model.
bool MulChecked(int64_t* acc, int64_t v) { return !__builtin_mul_overflow(*acc, v, acc); }

// Product of `shape`, or nullopt when it overflows.
std::optional<int64_t> CheckedSize(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (!MulChecked(&n, d)) return std::nullopt;
  }
  return n;
}

bool NormalizeAxis(int64_t* axis, int64_t rank) {
  if (*axis < 0) *axis += rank;
  return *axis >= 0 && *axis < rank;
}

const std::set<std::string>& SameShapeOps() {
  static const std::set<std::string> kOps = {
      "Relu", "Sigmoid", "Tanh", "LeakyRelu", "HardSigmoid", "HardSwish", "Clip", "Identity", "Dropout", "Neg",
      "Abs", "Exp", "Log", "Sqrt", "Erf", "Softmax", "LogSoftmax", "BatchNormalization", "LayerNormalization",
      "InstanceNormalization", "Gelu", "Elu", "Selu", "Softplus", "Mish", "Sin", "Cos", "Reciprocal", "Floor",
      "Ceil", "Round", "Sign", "Not", "Cast", "PRelu", "Celu", "ThresholdedRelu", "Softsign", "LpNormalization"};
  return kOps;
}

std::optional<Known> Infer(const ir::Graph& g, const Types& types, const ir::Node& n) {
  // com.edgerun FusedConv (the fusion passes' output) has Conv's output shape.
  const bool fused_conv = n.domain == "com.edgerun" && n.op_type == "FusedConv";
  if ((!n.domain.empty() && !fused_conv) || n.inputs.empty() || n.inputs[0].empty()) return std::nullopt;
  auto x = Lookup(g, types, n.inputs[0]);
  if (!x) return std::nullopt;
  const std::string& op = fused_conv ? std::string("Conv") : n.op_type;
  const int64_t rank = static_cast<int64_t>(x->shape.size());
  if (SameShapeOps().count(op)) {
    if (op == "Cast") return Known{static_cast<DataType>(n.GetInt("to", 0)), x->shape};
    return x;
  }
  static const std::set<std::string> kBroadcast = {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean"};
  static const std::set<std::string> kCompare = {"Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor"};
  if (kBroadcast.count(op) || kCompare.count(op) || op == "Where") {
    std::vector<Shape> shapes;
    DataType dt = x->dtype;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      auto k = Lookup(g, types, n.inputs[i]);
      if (!k) return std::nullopt;
      if (op == "Where" && i == 1) dt = k->dtype;
      shapes.push_back(k->shape);
    }
    auto s = Broadcast(shapes);
    if (!s) return std::nullopt;
    return Known{kCompare.count(op) ? DataType::kBool : dt, *s};
  }
  if (op == "Conv" || op == "MaxPool" || op == "AveragePool" || op == "LpPool") {
    if (rank < 3 || n.outputs.size() > 1) return std::nullopt;
    auto attrs = ParseWindowAttrs(n);
    if (!attrs.ok()) return std::nullopt;
    Shape kernel;
    int64_t maps = x->shape[1];
    if (op == "Conv") {
      if (n.inputs.size() < 2) return std::nullopt;
      auto w = Lookup(g, types, n.inputs[1]);
      if (!w || static_cast<int64_t>(w->shape.size()) != rank) return std::nullopt;
      kernel.assign(w->shape.begin() + 2, w->shape.end());
      maps = w->shape[0];
    } else {
      kernel = attrs->kernel_shape;
    }
    if (static_cast<int64_t>(kernel.size()) != rank - 2) return std::nullopt;
    // The geometry's arithmetic assumes sizes a real model has; anything near int64 overflow
    // stays unknown here (and is rejected by the kernels).
    constexpr int64_t kMaxDim = int64_t{1} << 31;
    auto out_of_range = [&](const auto& dims) {
      for (int64_t d : dims) {
        if (d > kMaxDim || d < -kMaxDim) return true;
      }
      return false;
    };
    if (out_of_range(x->shape) || out_of_range(kernel) || out_of_range(attrs->strides) ||
        out_of_range(attrs->dilations) || out_of_range(attrs->pads)) {
      return std::nullopt;
    }
    auto geom = ForwardGeometry(*attrs, Shape(x->shape.begin() + 2, x->shape.end()), kernel);
    if (!geom.ok()) return std::nullopt;
    Shape out = {x->shape[0], maps};
    out.insert(out.end(), geom->out.begin(), geom->out.end());
    return Known{x->dtype, out};
  }
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
    if (rank < 3) return std::nullopt;
    Shape out = {x->shape[0], x->shape[1]};
    out.resize(static_cast<size_t>(rank), 1);
    return Known{x->dtype, out};
  }
  if (op == "Gemm") {
    auto b = n.inputs.size() >= 2 ? Lookup(g, types, n.inputs[1]) : std::nullopt;
    if (!b || rank != 2 || b->shape.size() != 2) return std::nullopt;
    const int64_t m = n.GetInt("transA", 0) ? x->shape[1] : x->shape[0];
    const int64_t cols = n.GetInt("transB", 0) ? b->shape[0] : b->shape[1];
    return Known{x->dtype, {m, cols}};
  }
  if (op == "MatMul") {
    auto b = n.inputs.size() == 2 ? Lookup(g, types, n.inputs[1]) : std::nullopt;
    if (!b || rank < 2 || b->shape.size() < 2) return std::nullopt;
    Shape ba(x->shape.begin(), x->shape.end() - 2), bb(b->shape.begin(), b->shape.end() - 2);
    auto batch = Broadcast({ba, bb});
    if (!batch || x->shape.back() != b->shape[b->shape.size() - 2]) return std::nullopt;
    batch->push_back(x->shape[static_cast<size_t>(rank - 2)]);
    batch->push_back(b->shape.back());
    return Known{x->dtype, *batch};
  }
  if (op == "Flatten") {
    int64_t axis = n.GetInt("axis", 1);
    if (axis < 0) axis += rank;
    if (axis < 0 || axis > rank) return std::nullopt;
    int64_t a = 1, b = 1;
    for (int64_t i = 0; i < rank; ++i) {
      if (!MulChecked(i < axis ? &a : &b, x->shape[static_cast<size_t>(i)])) return std::nullopt;
    }
    return Known{x->dtype, {a, b}};
  }
  if (op == "Reshape") {
    auto target = n.inputs.size() == 2 ? ConstInts(g, n.inputs[1]) : std::nullopt;
    if (!target) return std::nullopt;
    const bool allow_zero = n.GetInt("allowzero", 0) != 0;
    Shape out;
    int64_t known = 1, infer_at = -1;
    for (size_t i = 0; i < target->size(); ++i) {
      int64_t d = (*target)[i];
      if (d == 0 && !allow_zero) {
        if (i >= x->shape.size()) return std::nullopt;
        d = x->shape[i];
      }
      if (d == -1) {
        if (infer_at >= 0) return std::nullopt;
        infer_at = static_cast<int64_t>(i);
        out.push_back(-1);
        continue;
      }
      if (d < 0) return std::nullopt;
      if (!MulChecked(&known, d)) return std::nullopt;
      out.push_back(d);
    }
    const std::optional<int64_t> checked_total = CheckedSize(x->shape);
    if (!checked_total) return std::nullopt;
    const int64_t total = *checked_total;
    if (infer_at >= 0) {
      if (known == 0 || total % known != 0) return std::nullopt;
      out[static_cast<size_t>(infer_at)] = total / known;
    } else if (known != total) {
      return std::nullopt;
    }
    return Known{x->dtype, out};
  }
  if (op == "Transpose") {
    std::vector<int64_t> perm = n.GetInts("perm");
    if (perm.empty()) {
      for (int64_t i = rank - 1; i >= 0; --i) perm.push_back(i);
    }
    if (static_cast<int64_t>(perm.size()) != rank) return std::nullopt;
    Shape out;
    for (int64_t p : perm) {
      if (p < 0 || p >= rank) return std::nullopt;
      out.push_back(x->shape[static_cast<size_t>(p)]);
    }
    return Known{x->dtype, out};
  }
  if (op == "Concat") {
    int64_t axis = n.GetInt("axis", 0);
    if (!NormalizeAxis(&axis, rank)) return std::nullopt;
    Shape out = x->shape;
    out[static_cast<size_t>(axis)] = 0;
    for (const auto& in : n.inputs) {
      auto k = Lookup(g, types, in);
      if (!k || k->shape.size() != x->shape.size()) return std::nullopt;
      int64_t& sum = out[static_cast<size_t>(axis)];
      if (__builtin_add_overflow(sum, k->shape[static_cast<size_t>(axis)], &sum)) return std::nullopt;
    }
    return Known{x->dtype, out};
  }
  // The Reduce* family: axes from the attribute, or from input 1 from the opset that moved them
  // there (13 for ReduceSum, 18 for the others), as the reference kernels read them.
  static const std::set<std::string> kReduce = {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin",
                                                "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum",
                                                "ReduceLogSumExp", "ReduceSumSquare"};
  if (kReduce.count(op)) {
    const int64_t axes_input_since = op == "ReduceSum" ? 13 : 18;
    std::vector<int64_t> axes;
    if (n.opset >= axes_input_since) {
      if (n.inputs.size() >= 2 && !n.inputs[1].empty()) {
        auto a = ConstInts(g, n.inputs[1]);
        if (!a) return std::nullopt;
        axes = *a;
      }
    } else {
      axes = n.GetInts("axes");
    }
    const bool keepdims = n.GetInt("keepdims", 1) != 0;
    std::vector<bool> reduced(static_cast<size_t>(rank), axes.empty() && n.GetInt("noop_with_empty_axes", 0) == 0);
    for (int64_t a : axes) {
      if (!NormalizeAxis(&a, rank)) return std::nullopt;
      reduced[static_cast<size_t>(a)] = true;
    }
    Shape out;
    for (int64_t i = 0; i < rank; ++i) {
      if (!reduced[static_cast<size_t>(i)]) out.push_back(x->shape[static_cast<size_t>(i)]);
      else if (keepdims) out.push_back(1);
    }
    return Known{x->dtype, out};
  }
  // Resize with constant scales (out = floor(in * scale), in double as the kernel computes it) or
  // constant sizes; not with the opset-18 axes or keep_aspect_ratio_policy attributes.
  if (op == "Resize") {
    if (!n.GetInts("axes").empty() || n.GetString("keep_aspect_ratio_policy", "stretch") != "stretch") return std::nullopt;
    const size_t scales_at = n.opset < 11 ? 1 : 2;
    auto scales_count = ConstInputCount(g, n, scales_at);
    auto sizes_count = n.opset < 11 ? std::optional<int64_t>(0) : ConstInputCount(g, n, 3);
    if (!scales_count || !sizes_count || (*scales_count > 0) == (*sizes_count > 0)) return std::nullopt;
    Shape out = x->shape;
    if (*scales_count > 0) {
      auto scales = ConstFloats(g, n.inputs[scales_at]);
      if (!scales || static_cast<int64_t>(scales->size()) != rank) return std::nullopt;
      for (int64_t i = 0; i < rank; ++i) {
        const double sc = (*scales)[static_cast<size_t>(i)];
        if (!(sc > 0.0) || !(sc < 1e9)) return std::nullopt;
        const double o = std::floor(static_cast<double>(out[static_cast<size_t>(i)]) * sc);
        if (!(o <= 9.0e15)) return std::nullopt;
        out[static_cast<size_t>(i)] = static_cast<int64_t>(o);
      }
    } else {
      auto sizes = ConstInts(g, n.inputs[3]);
      if (!sizes || static_cast<int64_t>(sizes->size()) != rank) return std::nullopt;
      for (int64_t i = 0; i < rank; ++i) {
        const int64_t d = (*sizes)[static_cast<size_t>(i)];
        if (d < 0 || (out[static_cast<size_t>(i)] == 0 && d != 0)) return std::nullopt;
        out[static_cast<size_t>(i)] = d;
      }
    }
    return Known{x->dtype, out};
  }
  if (op == "Squeeze" || op == "Unsqueeze") {
    std::optional<std::vector<int64_t>> axes;
    if (n.opset >= 13) {
      if (n.inputs.size() >= 2 && !n.inputs[1].empty()) axes = ConstInts(g, n.inputs[1]);
      else if (op == "Squeeze") axes = std::vector<int64_t>{};
    } else {
      axes = n.GetInts("axes");
    }
    if (!axes) return std::nullopt;
    if (op == "Squeeze") {
      std::set<int64_t> drop;
      for (int64_t a : *axes) {
        if (!NormalizeAxis(&a, rank)) return std::nullopt;
        drop.insert(a);
      }
      Shape out;
      for (int64_t i = 0; i < rank; ++i) {
        const int64_t d = x->shape[static_cast<size_t>(i)];
        if (axes->empty() ? d == 1 : drop.count(i) > 0) continue;
        out.push_back(d);
      }
      return Known{x->dtype, out};
    }
    const int64_t out_rank = rank + static_cast<int64_t>(axes->size());
    std::set<int64_t> add;
    for (int64_t a : *axes) {
      if (!NormalizeAxis(&a, out_rank) || !add.insert(a).second) return std::nullopt;
    }
    Shape out;
    size_t k = 0;
    for (int64_t i = 0; i < out_rank; ++i) out.push_back(add.count(i) ? 1 : x->shape[k++]);
    return Known{x->dtype, out};
  }
  return std::nullopt;
}

}  // namespace

void PropagateStaticShapes(const ir::Graph& graph, Types* types) {
  for (const auto& n : graph.nodes) {
    if (n.outputs.empty() || n.outputs[0].empty()) continue;
    if (Lookup(graph, *types, n.outputs[0])) continue;
    auto k = Infer(graph, *types, n);
    if (!k || k->dtype == DataType::kUndefined) continue;
    ir::TypeInfo t;
    t.dtype = k->dtype;
    t.has_shape = true;
    for (int64_t d : k->shape) t.dims.push_back({d, ""});
    (*types)[n.outputs[0]] = t;
  }
}

}  // namespace edgerun::passes
