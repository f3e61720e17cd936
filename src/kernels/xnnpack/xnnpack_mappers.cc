// Shared mapper helpers (inputs, activation folding, unary steps) and dispatch by operator.
#include "kernels/xnnpack/xnnpack_mappers.h"

#include <algorithm>
#include <set>

namespace edgerun::xnn {

Result<int> BuildContext::Input(const ir::Node& node, size_t i) const {
  if (!node.HasInput(i)) return Unsupported(node.Describe() + ": input " + std::to_string(i) + " is omitted");
  const std::string& name = node.inputs[i];
  auto it = value_of.find(name);
  if (it == value_of.end()) {
    if (graph.IsInitializer(name)) {
      return Unsupported(node.Describe() + ": input '" + name + "' is a constant where a tensor is expected");
    }
    return Internal(node.Describe() + ": input '" + name + "' has no value in the partition");
  }
  return it->second;
}

const Tensor* BuildContext::Constant(const ir::Node& node, size_t i) const {
  if (!node.HasInput(i)) return nullptr;
  auto it = graph.initializers.find(node.inputs[i]);
  return it == graph.initializers.end() ? nullptr : &it->second;
}

bool BuildContext::SingleInternalUse(const std::string& name) const {
  if (partition_outputs.count(name)) return false;
  auto it = uses.find(name);
  return it != uses.end() && it->second == 1;
}

bool IsFloatInitializer(const ir::Graph& g, const std::string& name) {
  auto it = g.initializers.find(name);
  return it != g.initializers.end() && it->second.dtype() == DataType::kFloat;
}

int KnownRank(const ir::Graph& g, const std::string& name) {
  for (const auto* list : {&g.inputs, &g.outputs, &g.value_infos}) {
    for (const auto& vi : *list) {
      if (vi.name == name && vi.type.kind == ir::TypeInfo::Kind::kTensor && vi.type.has_shape) {
        return static_cast<int>(vi.type.dims.size());
      }
    }
  }
  auto it = g.initializers.find(name);
  if (it != g.initializers.end()) return static_cast<int>(it->second.rank());
  return -1;
}

Result<int> AddUnary(BuildContext& ctx, const std::string& what, int in, UnaryKind kind, float a, float b) {
  const int out = ctx.plan.AddValue(ctx.plan.value(in).shape);
  Step s;
  s.what = what;
  s.inputs = {in};
  s.outputs = {out};
  s.strided_output = true;
  s.clampable = kind == UnaryKind::kClamp;
  s.output_min = kind == UnaryKind::kClamp ? a : kNoMin;
  s.output_max = kind == UnaryKind::kClamp ? b : kNoMax;
  s.create = [kind, a](Plan& p, Step& st) {
    const Value& x = p.value(st.inputs[0]);
    const Value& y = p.value(st.outputs[0]);
    const size_t c = static_cast<size_t>(x.channels());
    xnn_status r = xnn_status_invalid_parameter;
    switch (kind) {
      case UnaryKind::kClamp:
        r = xnn_create_clamp_nc_f32(c, x.stride, y.stride, st.output_min, st.output_max, 0, &st.op);
        break;
      case UnaryKind::kSigmoid:
        r = xnn_create_sigmoid_nc_f32(c, x.stride, y.stride, 0, &st.op);
        break;
      case UnaryKind::kHardSwish:
        r = xnn_create_hardswish_nc_f32(c, x.stride, y.stride, 0, &st.op);
        break;
      case UnaryKind::kLeakyRelu:
        r = xnn_create_leaky_relu_nc_f32(c, x.stride, y.stride, a, 0, &st.op);
        break;
    }
    return XnnCheck(r, st.what, "create (unary)");
  };
  s.setup = [kind](Plan& p, Step& st) {
    const size_t batch = static_cast<size_t>(p.value(st.inputs[0]).pixels());
    const float* x = p.Data(st.inputs[0]);
    float* y = p.Data(st.outputs[0]);
    xnn_status r = xnn_status_invalid_parameter;
    switch (kind) {
      case UnaryKind::kClamp: r = xnn_setup_clamp_nc_f32(st.op, batch, x, y, p.pool()); break;
      case UnaryKind::kSigmoid: r = xnn_setup_sigmoid_nc_f32(st.op, batch, x, y, p.pool()); break;
      case UnaryKind::kHardSwish: r = xnn_setup_hardswish_nc_f32(st.op, batch, x, y, p.pool()); break;
      case UnaryKind::kLeakyRelu: r = xnn_setup_leaky_relu_nc_f32(st.op, batch, x, y, p.pool()); break;
    }
    return XnnCheck(r, st.what, "setup (unary)");
  };
  ctx.plan.AddStep(std::move(s));
  return out;
}

int AddConstant(BuildContext& ctx, const Tensor& t, size_t rank) {
  Shape shape(rank - std::min(rank, static_cast<size_t>(t.rank())), 1);
  shape.insert(shape.end(), t.shape().begin(), t.shape().end());
  std::vector<float>& data = ctx.plan.NewConstant(static_cast<size_t>(t.numel()));
  const float* src = t.data<float>();
  if (shape.size() < 3 || ctx.plan.plain()) {
    std::copy(src, src + t.numel(), data.begin());
  } else {
    // [N, C, S] -> [N, S, C] with S the product of the spatial dims.
    const int64_t n = shape[0], c = shape[1], sp = ShapeSize(shape) / std::max<int64_t>(1, n * c);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t ch = 0; ch < c; ++ch) {
        for (int64_t p = 0; p < sp; ++p) data[static_cast<size_t>((i * sp + p) * c + ch)] = src[(i * c + ch) * sp + p];
      }
    }
  }
  return ctx.plan.AddConstantValue(shape, data);
}

Result<int> AddBinary(BuildContext& ctx, const std::string& what, BinaryKind kind, int a, int b, const Shape& out_shape,
                      float lo, float hi) {
  Plan& plan = ctx.plan;
  if (plan.value(a).channels_last != plan.value(b).channels_last || out_shape.size() > XNN_MAX_TENSOR_DIMS) {
    return Unsupported(what + ": operand layouts differ");
  }
  if (!plan.value(a).dense() || !plan.value(b).dense()) return Unsupported(what + ": strided operand");
  const int out = plan.AddValue(out_shape);
  Step s;
  s.what = what;
  s.inputs = {a, b};
  s.outputs = {out};
  s.clampable = true;
  s.output_min = lo;
  s.output_max = hi;
  s.create = [kind](Plan& p, Step& st) {
    xnn_status r = xnn_status_invalid_parameter;
    switch (kind) {
      case BinaryKind::kAdd: r = xnn_create_add_nd_f32(st.output_min, st.output_max, 0, &st.op); break;
      case BinaryKind::kSub: r = xnn_create_subtract_nd_f32(st.output_min, st.output_max, 0, &st.op); break;
      case BinaryKind::kMul: r = xnn_create_multiply_nd_f32(st.output_min, st.output_max, 0, &st.op); break;
      case BinaryKind::kDiv: r = xnn_create_divide_nd_f32(st.output_min, st.output_max, 0, &st.op); break;
    }
    (void)p;
    return XnnCheck(r, st.what, "create (binary)");
  };
  s.setup = [kind](Plan& p, Step& st) {
    const Shape pa = p.value(st.inputs[0]).PhysicalShape(), pb = p.value(st.inputs[1]).PhysicalShape();
    size_t da[XNN_MAX_TENSOR_DIMS], db[XNN_MAX_TENSOR_DIMS];
    for (size_t i = 0; i < pa.size(); ++i) da[i] = static_cast<size_t>(pa[i]);
    for (size_t i = 0; i < pb.size(); ++i) db[i] = static_cast<size_t>(pb[i]);
    const float* x = p.Data(st.inputs[0]);
    const float* y = p.Data(st.inputs[1]);
    float* z = p.Data(st.outputs[0]);
    xnn_status r = xnn_status_invalid_parameter;
    switch (kind) {
      case BinaryKind::kAdd: r = xnn_setup_add_nd_f32(st.op, pa.size(), da, pb.size(), db, x, y, z, p.pool()); break;
      case BinaryKind::kSub: r = xnn_setup_subtract_nd_f32(st.op, pa.size(), da, pb.size(), db, x, y, z, p.pool()); break;
      case BinaryKind::kMul: r = xnn_setup_multiply_nd_f32(st.op, pa.size(), da, pb.size(), db, x, y, z, p.pool()); break;
      case BinaryKind::kDiv: r = xnn_setup_divide_nd_f32(st.op, pa.size(), da, pb.size(), db, x, y, z, p.pool()); break;
    }
    return XnnCheck(r, st.what, "setup (binary)");
  };
  plan.AddStep(std::move(s));
  return out;
}

Status MapClampTo(BuildContext& ctx, const ir::Node& node, const std::string& in_name, float lo, float hi) {
  if (!(lo < hi)) return Unsupported(node.Describe() + ": clamp range is empty");
  auto it = ctx.value_of.find(in_name);
  if (it == ctx.value_of.end()) return Unsupported(node.Describe() + ": input '" + in_name + "' is not a tensor here");
  const int in = it->second;
  const Value& v = ctx.plan.value(in);
  if (v.producer >= 0 && !v.is_input && ctx.SingleInternalUse(in_name)) {
    Step& p = ctx.plan.step(v.producer);
    const float new_lo = std::max(p.output_min, lo), new_hi = std::min(p.output_max, hi);
    if (p.clampable && p.outputs.size() == 1 && p.outputs[0] == in && new_lo < new_hi) {
      p.output_min = new_lo;
      p.output_max = new_hi;
      ctx.Define(node.outputs[0], in);
      return Status::Ok();
    }
  }
  int out;
  EDGERUN_ASSIGN_OR_RETURN(out, AddUnary(ctx, node.Describe(), in, UnaryKind::kClamp, lo, hi));
  ctx.Define(node.outputs[0], out);
  return Status::Ok();
}

namespace {

// Operators whose (first) output is floating point for every type ONNX allows them.
bool FloatOnlyOp(const ir::Node& n) {
  static const std::set<std::string> kOps = {
      "Conv", "FusedConv", "ConvTranspose", "BatchNormalization", "AveragePool", "GlobalAveragePool",
      "GlobalMaxPool", "Softmax", "LogSoftmax", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Exp", "Log",
      "Sqrt", "Erf", "LRN", "InstanceNormalization", "LayerNormalization", "Elu", "Selu", "LeakyRelu", "Gelu",
      "Softplus", "Softsign", "Mish", "RandomNormal", "RandomUniform"};
  return kOps.count(n.op_type) > 0;
}

// Operators whose output type equals their data input's.
bool TypePreservingOp(const std::string& op) {
  static const std::set<std::string> kOps = {"Relu", "Clip", "Add", "Sub", "Mul", "Div", "Flatten", "Reshape",
                                             "Concat", "Pad", "MaxPool", "Gemm", "MatMul", "Identity", "Transpose",
                                             "Squeeze", "Unsqueeze", "Dropout", "Max", "Min", "Neg", "Abs",
                                             "Resize", "Upsample", "Slice", "Split", "Tile", "Expand"};
  return kOps.count(op) > 0;
}

}  // namespace

namespace {
std::string Fingerprint(const ir::Graph& g) {
  std::string f = g.name + "|" + std::to_string(g.nodes.size());
  if (!g.nodes.empty()) f += "|" + g.nodes.front().name + "|" + g.nodes.back().name;
  return f;
}
}  // namespace

bool GraphFacts::Describes(const ir::Graph& g) const {
  return &g == &graph_ && g.nodes.size() == num_nodes_ && Fingerprint(g) == fingerprint_;
}

bool PlainLayoutGraph(const ir::Graph& g) {
  static const std::set<std::string> kNhwcOps = {"Conv", "FusedConv", "MaxPool", "AveragePool", "GlobalAveragePool"};
  for (const ir::Node& n : g.nodes) {
    if (kNhwcOps.count(n.op_type) > 0) return false;
  }
  return true;
}

GraphFacts::GraphFacts(const ir::Graph& g)
    : graph_(g), num_nodes_(g.nodes.size()), fingerprint_(Fingerprint(g)), plain_(PlainLayoutGraph(g)) {
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto& o : g.nodes[i].outputs) {
      if (!o.empty()) producer_[o] = i;
    }
  }
  for (const auto* list : {&g.inputs, &g.outputs, &g.value_infos}) {
    for (const auto& vi : *list) {
      if (vi.type.kind == ir::TypeInfo::Kind::kTensor && vi.type.dtype != DataType::kUndefined) {
        declared_[vi.name] = vi.type.dtype;
      }
    }
  }
}

bool GraphFacts::IsFloat(const std::string& name) { return IsFloatAt(name, 0); }

bool GraphFacts::IsFloatAt(const std::string& name, int depth) {
  auto init = graph_.initializers.find(name);
  if (init != graph_.initializers.end()) return init->second.dtype() == DataType::kFloat;
  auto decl = declared_.find(name);
  if (decl != declared_.end()) return decl->second == DataType::kFloat;
  auto m = memo_.find(name);
  if (m != memo_.end()) return m->second;
  bool result = false;
  auto p = producer_.find(name);
  if (p != producer_.end() && depth < 64) {
    const ir::Node& n = graph_.nodes[p->second];
    if (n.op_type == "Cast") {
      result = n.GetInt("to", 0) == static_cast<int64_t>(DataType::kFloat);
    } else if (FloatOnlyOp(n)) {
      // Floating point, but which width: follow the data input when there is one.
      result = n.inputs.empty() || n.inputs[0].empty() || IsFloatAt(n.inputs[0], depth + 1);
    } else if (TypePreservingOp(n.op_type)) {
      for (const auto& in : n.inputs) {
        if (in.empty()) continue;
        result = IsFloatAt(in, depth + 1);
        break;
      }
    }
  }
  memo_[name] = result;
  return result;
}

bool ClaimNode(const ir::Graph& g, const ir::Node& n, GraphFacts& facts) {
  for (const auto& o : n.outputs) {
    if (o.empty()) return false;
  }
  for (const auto& in : n.inputs) {
    if (!in.empty() && !g.IsInitializer(in) && !facts.IsFloat(in)) return false;
  }
  if (n.domain == "com.edgerun") return n.op_type == "FusedConv" && ClaimConv(g, n);
  if (!n.domain.empty() && n.domain != "ai.onnx") return false;
  const bool plain = facts.plain();
  return ClaimConv(g, n) || ClaimPool(g, n) || ClaimElementwise(g, n, plain) || ClaimDense(g, n, plain) ||
         ClaimShapeOp(g, n, plain);
}

Status MapNode(BuildContext& ctx, const ir::Node& n) {
  const std::string& op = n.op_type;
  if (op == "Conv" || op == "FusedConv") return MapConv(ctx, n);
  if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool") return MapPool(ctx, n);
  if (op == "Gemm" || op == "MatMul") return MapDense(ctx, n);
  if (op == "Flatten" || op == "Reshape" || op == "Concat" || op == "Pad" || op == "Softmax") return MapShapeOp(ctx, n);
  return MapElementwise(ctx, n);
}

}  // namespace edgerun::xnn
