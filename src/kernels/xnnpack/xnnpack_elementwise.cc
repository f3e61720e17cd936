// Elementwise operators: Add/Sub/Mul/Div (same layout, numpy broadcasting; constants are laid out
// like the other operand), Relu and Clip (clamps, folded into the producer where exact), Sigmoid,
// HardSwish and LeakyRelu.
#include <algorithm>

#include "kernels/xnnpack/xnnpack_channel_ops.h"
#include "kernels/xnnpack/xnnpack_mappers.h"

namespace edgerun::xnn {

namespace {

bool IsBinary(const std::string& op) { return op == "Add" || op == "Sub" || op == "Mul" || op == "Div"; }

// Element type declared for `name`, or kUndefined when unknown.
DataType KnownDtype(const ir::Graph& g, const std::string& name) {
  auto it = g.initializers.find(name);
  if (it != g.initializers.end()) return it->second.dtype();
  for (const auto* list : {&g.inputs, &g.outputs, &g.value_infos}) {
    for (const auto& vi : *list) {
      if (vi.name == name && vi.type.kind == ir::TypeInfo::Kind::kTensor) return vi.type.dtype;
    }
  }
  return DataType::kUndefined;
}

bool FloatOrUnknown(const ir::Graph& g, const std::string& name) {
  const DataType dt = KnownDtype(g, name);
  return dt == DataType::kUndefined || dt == DataType::kFloat;
}

// Scalar float initializer at input i, or `def` when the input is omitted; false when unusable.
bool ScalarBound(const ir::Graph& g, const ir::Node& n, size_t i, float def, float* out) {
  if (!n.HasInput(i)) {
    *out = def;
    return true;
  }
  if (!IsFloatInitializer(g, n.inputs[i])) return false;
  const Tensor& t = g.initializers.at(n.inputs[i]);
  if (t.numel() != 1) return false;
  *out = t.data<float>()[0];
  return true;
}

// Absent bounds are infinite, as in the reference kernel.
bool ClipBounds(const ir::Graph& g, const ir::Node& n, float* lo, float* hi) {
  if (n.opset < 11) {
    *lo = n.GetFloat("min", kNoMin);
    *hi = n.GetFloat("max", kNoMax);
    return true;
  }
  return ScalarBound(g, n, 1, kNoMin, lo) && ScalarBound(g, n, 2, kNoMax, hi);
}

Result<Shape> Broadcast(const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()), 1);
  for (size_t i = 0; i < out.size(); ++i) {
    const int64_t da = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    const int64_t db = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    if (da != db && da != 1 && db != 1) return Unsupported("shapes do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace

bool ClaimElementwise(const ir::Graph& g, const ir::Node& n, bool plain) {
  const std::string& op = n.op_type;
  if (n.outputs.size() != 1 || !n.HasInput(0)) return false;
  if (IsBinary(op)) {
    if (n.inputs.size() != 2 || !n.HasInput(1)) return false;
    const bool ca = g.IsInitializer(n.inputs[0]), cb = g.IsInitializer(n.inputs[1]);
    if (ca && cb) return false;
    for (const auto& in : n.inputs) {
      if (!FloatOrUnknown(g, in)) return false;
    }
    // A constant operand must not raise the rank past a layout-sensitive (>= 3) value's.
    if ((ca || cb) && !plain) {
      const Tensor& t = g.initializers.at(n.inputs[ca ? 0 : 1]);
      const int other = KnownRank(g, n.inputs[ca ? 1 : 0]);
      if (other >= 0 && t.rank() > other && t.rank() >= 3) return false;
    }
    return true;
  }
  if (g.IsInitializer(n.inputs[0]) || !FloatOrUnknown(g, n.inputs[0])) return false;
  if (op == "Relu" || op == "Sigmoid" || op == "HardSwish") return n.inputs.size() == 1;
  if (op == "LeakyRelu") return n.inputs.size() == 1;
  if (op == "Clip") {
    float lo, hi;
    return ClipBounds(g, n, &lo, &hi) && lo < hi;
  }
  return false;
}

Status MapElementwise(BuildContext& ctx, const ir::Node& n) {
  const std::string& op = n.op_type;
  if (op == "Relu") return MapClampTo(ctx, n, n.inputs[0], 0.0f, kNoMax);
  if (op == "Clip") {
    float lo = kNoMin, hi = kNoMax;
    if (!ClipBounds(ctx.graph, n, &lo, &hi)) return Unsupported(n.Describe() + ": bounds are not constant");
    return MapClampTo(ctx, n, n.inputs[0], lo, hi);
  }
  if (!IsBinary(op)) {
    int x;
    EDGERUN_ASSIGN_OR_RETURN(x, ctx.Input(n, 0));
    UnaryKind kind = op == "Sigmoid" ? UnaryKind::kSigmoid : op == "HardSwish" ? UnaryKind::kHardSwish : UnaryKind::kLeakyRelu;
    if (op != "Sigmoid" && op != "HardSwish" && op != "LeakyRelu") return Unsupported(n.Describe() + ": not mapped");
    int y;
    EDGERUN_ASSIGN_OR_RETURN(y, AddUnary(ctx, n.Describe(), x, kind, n.GetFloat("alpha", 0.01f), 0));
    ctx.Define(n.outputs[0], y);
    return Status::Ok();
  }
  const BinaryKind kind = op == "Add" ? BinaryKind::kAdd : op == "Sub" ? BinaryKind::kSub
                        : op == "Mul" ? BinaryKind::kMul : BinaryKind::kDiv;
  const Tensor* ca = ctx.Constant(n, 0);
  const Tensor* cb = ctx.Constant(n, 1);
  for (const Tensor* c : {ca, cb}) {
    if (c && c->dtype() != DataType::kFloat) return Unsupported(n.Describe() + ": constant is not float");
  }
  int va = -1, vb = -1;
  if (!ca) {
    EDGERUN_ASSIGN_OR_RETURN(va, ctx.Input(n, 0));
  }
  if (!cb) {
    EDGERUN_ASSIGN_OR_RETURN(vb, ctx.Input(n, 1));
  }
  const Shape sa = ca ? ca->shape() : ctx.plan.value(va).shape;
  const Shape sb = cb ? cb->shape() : ctx.plan.value(vb).shape;
  auto out_r = Broadcast(sa, sb);
  if (!out_r.ok()) return Unsupported(n.Describe() + ": " + out_r.status().message());
  const Shape out = out_r.value();
  if ((ca == nullptr) != (cb == nullptr)) {  // tensor (op) per-channel constant: xnnpack_channel_ops.h
    const bool k_first = ca != nullptr;
    const int v = k_first ? vb : va;
    if (ctx.plan.value(v).shape == out) {
      const int y = TryAddChannelOp(ctx, n.Describe(), kind, n.inputs[k_first ? 1 : 0], v, k_first ? *ca : *cb, k_first);
      if (y >= 0) {
        ctx.Define(n.outputs[0], y);
        return Status::Ok();
      }
    }
  }
  auto operand = [&](int v, const Tensor* c) -> Result<int> {
    if (c) return AddConstant(ctx, *c, out.size());
    const size_t r = ctx.plan.value(v).shape.size();
    if (r != out.size() && (r >= 3 || out.size() >= 3) && !ctx.plan.plain()) {
      return Unsupported(n.Describe() + ": operand ranks differ across layouts");
    }
    return v;
  };
  int a, b;
  EDGERUN_ASSIGN_OR_RETURN(a, operand(va, ca));
  EDGERUN_ASSIGN_OR_RETURN(b, operand(vb, cb));
  int y;
  EDGERUN_ASSIGN_OR_RETURN(y, AddBinary(ctx, n.Describe(), kind, a, b, out));
  ctx.Define(n.outputs[0], y);
  return Status::Ok();
}

}  // namespace edgerun::xnn
