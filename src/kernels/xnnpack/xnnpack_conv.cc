// Conv and FusedConv (com.edgerun) on XNNPACK's NHWC convolution: 2D and 1D (as H = 1), groups,
// depthwise, strides, dilations, explicit pads and auto_pad. Weights are transposed OIHW -> OHWI
// and packed by XNNPACK when the operator is created. FusedConv's Relu/Clip become the
// convolution's output range; its residual Z is an add step; Sigmoid/HardSwish/LeakyRelu a unary
// step after it.
#include <algorithm>

#include "kernels/reference/conv_geometry.h"
#include "kernels/xnnpack/xnnpack_mappers.h"
#include "kernels/xnnpack/xnnpack_banded_conv.h"
#include "kernels/xnnpack/xnnpack_conv1d_step.h"
#include "kernels/xnnpack/xnnpack_conv2d_step.h"
#include "kernels/xnnpack/xnnpack_onednn_conv.h"
#include "kernels/xnnpack/xnnpack_winograd_step.h"

namespace edgerun::xnn {

namespace {

struct Activation {
  bool ok = true;
  float lo = kNoMin, hi = kNoMax;  // clamp applied to the result
  bool has_unary = false;
  UnaryKind unary = UnaryKind::kClamp;
  float alpha = 0;
};

Activation ParseActivation(const ir::Node& n) {
  Activation a;
  if (n.op_type != "FusedConv") return a;
  const std::string act = n.GetString("activation", "");
  const std::vector<float> params = n.GetFloats("activation_params");
  if (act.empty()) return a;
  if (act == "Relu") {
    a.lo = 0;
  } else if (act == "Clip") {
    if (params.size() != 2 || !(params[0] < params[1])) a.ok = false;
    else a.lo = params[0], a.hi = params[1];
  } else if (act == "Sigmoid") {
    a.has_unary = true, a.unary = UnaryKind::kSigmoid;
  } else if (act == "HardSwish") {
    a.has_unary = true, a.unary = UnaryKind::kHardSwish;
  } else if (act == "LeakyRelu") {
    a.has_unary = true, a.unary = UnaryKind::kLeakyRelu;
    a.alpha = params.empty() ? 0.01f : params[0];
  } else {
    a.ok = false;  // Tanh, HardSigmoid and anything new: no exact XNNPACK mapping here
  }
  return a;
}

// The residual add and non-clamp activation after an XNNPACK convolution step writing `y`.
Status FinishConv(BuildContext& ctx, const ir::Node& n, int y, int z, const Shape& out_shape, const Activation& act) {
  int result = y;
  if (z >= 0) {
    EDGERUN_ASSIGN_OR_RETURN(result, AddBinary(ctx, n.Describe(), BinaryKind::kAdd, y, z, out_shape, act.lo, act.hi));
  }
  if (act.has_unary) {
    EDGERUN_ASSIGN_OR_RETURN(result, AddUnary(ctx, n.Describe(), result, act.unary, act.alpha, 0));
  }
  ctx.Define(n.outputs[0], result);
  return Status::Ok();
}

// True when `name` is read once, by a Concat over channels in this partition: a step that can
// write a channel slice then saves the concat's copy (squeezenet's expand1x1 convolutions, whose
// oneDNN kernel writes only dense outputs).
bool FeedsChannelConcat(const BuildContext& ctx, const std::string& name, size_t rank) {
  if (!ctx.SingleInternalUse(name)) return false;
  for (const ir::Node& m : ctx.graph.nodes) {
    if (m.op_type != "Concat" || std::find(m.inputs.begin(), m.inputs.end(), name) == m.inputs.end()) continue;
    int64_t axis = m.GetInt("axis", 1);
    if (axis < 0) axis += static_cast<int64_t>(rank);
    return axis == 1;
  }
  return false;
}

}  // namespace

bool ClaimConv(const ir::Graph& g, const ir::Node& n) {
  if (n.op_type != "Conv" && n.op_type != "FusedConv") return false;
  if (n.op_type == "Conv" && !n.domain.empty() && n.domain != "ai.onnx") return false;
  if (!n.HasInput(0) || !n.HasInput(1) || n.outputs.size() != 1) return false;
  if (g.IsInitializer(n.inputs[0]) || !IsFloatInitializer(g, n.inputs[1])) return false;
  const Tensor& w = g.initializers.at(n.inputs[1]);
  if (w.rank() != 4 && w.rank() != 3) return false;
  if (n.HasInput(2)) {
    if (!IsFloatInitializer(g, n.inputs[2])) return false;
    const Tensor& b = g.initializers.at(n.inputs[2]);
    if (b.rank() != 1 || b.dim(0) != w.dim(0)) return false;
  }
  if (n.op_type == "FusedConv") {
    if (n.inputs.size() > 4) return false;
    if (n.HasInput(3) && g.IsInitializer(n.inputs[3])) return false;
    if (!ParseActivation(n).ok) return false;
  } else if (n.inputs.size() > 3) {
    return false;
  }
  const int64_t group = n.GetInt("group", 1);
  if (group < 1 || w.dim(0) % group != 0) return false;
  auto attrs = ParseWindowAttrs(n);
  if (!attrs.ok()) return false;
  const size_t spatial = static_cast<size_t>(w.rank() - 2);
  if (!attrs.value().kernel_shape.empty()) {
    if (attrs.value().kernel_shape.size() != spatial) return false;
    for (size_t i = 0; i < spatial; ++i) {
      if (attrs.value().kernel_shape[i] != w.dim(static_cast<int64_t>(i + 2))) return false;
    }
  }
  const int rank = KnownRank(g, n.inputs[0]);
  return rank < 0 || rank == w.rank();
}

Status MapConv(BuildContext& ctx, const ir::Node& n) {
  Plan& plan = ctx.plan;
  int x;
  EDGERUN_ASSIGN_OR_RETURN(x, ctx.Input(n, 0));
  const Tensor& w = *ctx.Constant(n, 1);
  const Tensor* bias = ctx.Constant(n, 2);
  const Value xv = plan.value(x);
  if (xv.shape.size() != static_cast<size_t>(w.rank())) return Unsupported(n.Describe() + ": input rank differs from the weights'");
  if (!xv.dense()) return Unsupported(n.Describe() + ": strided input");
  const int64_t group = n.GetInt("group", 1);
  const int64_t m = w.dim(0), cg = w.dim(1);
  const int64_t c = xv.shape[1];
  if (c != cg * group) return Unsupported(n.Describe() + ": input channels do not match the weights and group");
  WindowAttrs attrs;
  EDGERUN_ASSIGN_OR_RETURN(attrs, ParseWindowAttrs(n));
  const bool one_d = w.rank() == 3;
  Shape spatial(xv.shape.begin() + 2, xv.shape.end());
  std::vector<int64_t> kernel(w.shape().begin() + 2, w.shape().end());
  auto geo_r = ForwardGeometry(attrs, spatial, kernel);
  if (!geo_r.ok()) return Unsupported(n.Describe() + ": " + geo_r.status().message());
  WindowGeometry geo = std::move(geo_r).value();
  if (one_d) {  // view as H = 1
    for (auto* v : {&geo.in, &geo.out, &geo.kernel, &geo.strides, &geo.dilations}) v->insert(v->begin(), 1);
    geo.pad_begin.insert(geo.pad_begin.begin(), 0);
    geo.pad_end.insert(geo.pad_end.begin(), 0);
  }
  Shape out_shape = {xv.shape[0], m};
  for (size_t i = one_d ? 1 : 0; i < 2; ++i) out_shape.push_back(geo.out[i]);
  const Activation act = ParseActivation(n);
  const bool has_z = n.HasInput(3);
  int z = -1;
  if (has_z) {
    EDGERUN_ASSIGN_OR_RETURN(z, ctx.Input(n, 3));
    if (plan.value(z).shape != out_shape) return Unsupported(n.Describe() + ": Z's shape differs from the output's");
  }

  // 3x3 stride-1 convolutions with enough channels: Winograd (xnnpack_winograd_step.h).
  const bool plain_3x3 = !one_d && group == 1 && geo.kernel[0] == 3 && geo.kernel[1] == 3 && geo.strides[0] == 1 &&
                         geo.strides[1] == 1 && geo.dilations[0] == 1 && geo.dilations[1] == 1;
  FusedConvOperands operands;
  operands.weights = w.data<float>();
  operands.bias = bias ? bias->data<float>() : nullptr;
  operands.has_z = has_z;
  operands.lo = act.lo, operands.hi = act.hi;
  if (plain_3x3 && !act.has_unary && WinogradApplies(c, m, geo.out[0], geo.out[1])) {
    WinogradConvParams p;
    static_cast<FusedConvOperands&>(p) = operands;
    p.c = c, p.m = m;
    p.pad_top = geo.pad_begin[0], p.pad_left = geo.pad_begin[1];
    p.pad_bottom = geo.pad_end[0], p.pad_right = geo.pad_end[1];
    ctx.Define(n.outputs[0], AddWinogradConv(plan, n.Describe(), x, z, out_shape, p));
    return Status::Ok();
  }

  // Small 1-D convolutions: the in-place GEMM kernel (xnnpack_conv1d_step.h).
  if (one_d && group == 1 && !act.has_unary && Conv1dApplies(c, m, geo.kernel[1], geo.out[1])) {
    Conv1dStepParams p;
    static_cast<FusedConvOperands&>(p) = operands;
    p.c = c, p.m = m, p.kernel = geo.kernel[1], p.stride = geo.strides[1], p.dilation = geo.dilations[1];
    p.pad_left = geo.pad_begin[1], p.pad_right = geo.pad_end[1];
    ctx.Define(n.outputs[0], AddConv1d(ctx, n.Describe(), x, z, out_shape, p));
    return Status::Ok();
  }

  // Group-1 2-D convolutions with enough channels: the in-place GEMM kernel (xnnpack_conv2d_step.h);
  // 1x1 ones only when that saves a concat copy or oneDNN is off (XNNPACK's 1x1 runs 2-4x slower).
  const bool pointwise = geo.kernel[0] * geo.kernel[1] == 1 && geo.strides[0] == 1 && geo.strides[1] == 1;
  const bool c2d = pointwise ? Conv2dAppliesPointwise(c, m) &&
                                   (!plan.onednn() || FeedsChannelConcat(ctx, n.outputs[0], xv.shape.size()))
                             : Conv2dApplies(c, m, geo.kernel[0], geo.kernel[1]);
  if (!one_d && group == 1 && !act.has_unary && c2d) {
    Conv2dStepParams p;
    static_cast<FusedConvOperands&>(p) = operands;
    p.c = c, p.m = m, p.kernel_h = geo.kernel[0], p.kernel_w = geo.kernel[1];
    p.stride_h = geo.strides[0], p.stride_w = geo.strides[1];
    p.dilation_h = geo.dilations[0], p.dilation_w = geo.dilations[1];
    p.pad_top = geo.pad_begin[0], p.pad_left = geo.pad_begin[1];
    p.pad_bottom = geo.pad_end[0], p.pad_right = geo.pad_end[1];
    ctx.Define(n.outputs[0], AddConv2d(ctx, n.Describe(), x, z, out_shape, p));
    return Status::Ok();
  }

  // Convolutions go to oneDNN where it has a fast kernel for them (xnnpack_onednn_conv.cc).
  if (plan.onednn()) {
    OneDnnConvParams p;
    p.group = group, p.cg = cg, p.m = m, p.kh = geo.kernel[0], p.kw = geo.kernel[1];
    p.strides = geo.strides, p.dilations = geo.dilations, p.pad_begin = geo.pad_begin, p.pad_end = geo.pad_end;
    p.weights = w.data<float>();
    p.bias = bias ? bias->data<float>() : nullptr;
    p.has_z = has_z;
    p.act_lo = act.lo, p.act_hi = act.hi;
    if (act.has_unary) {
      switch (act.unary) {
        case UnaryKind::kSigmoid: p.activation = ConvActivation::kSigmoid; break;
        case UnaryKind::kHardSwish: p.activation = ConvActivation::kHardSwish; break;
        case UnaryKind::kLeakyRelu: p.activation = ConvActivation::kLeakyRelu, p.alpha = act.alpha; break;
        case UnaryKind::kClamp: break;
      }
    }
    const int y = TryAddOneDnnConv(plan, n.Describe(), x, z, out_shape, p);
    if (y >= 0) {
      ctx.Define(n.outputs[0], y);
      return Status::Ok();
    }
  }

  // OIHW -> OHWI (identity for depthwise, where I = 1).
  const int64_t kh = geo.kernel[0], kw = geo.kernel[1];
  std::vector<float>& packed = plan.NewConstant(static_cast<size_t>(w.numel()), false);
  const float* src = w.data<float>();
  for (int64_t o = 0; o < m; ++o) {
    for (int64_t i = 0; i < cg; ++i) {
      for (int64_t k = 0; k < kh * kw; ++k) {
        packed[static_cast<size_t>((o * kh * kw + k) * cg + i)] = src[(o * cg + i) * kh * kw + k];
      }
    }
  }
  const float* bias_data = nullptr;
  if (bias) {
    std::vector<float>& b = plan.NewConstant(static_cast<size_t>(m), false);
    std::copy(bias->data<float>(), bias->data<float>() + m, b.begin());
    bias_data = b.data();
  }
  const float* kdata = packed.data();
  // In plans with oneDNN steps (on the OpenMP team), split into bands of rows on the team too.
  const int threads = plan.onednn() ? plan.onednn()->threads() : 1;
  if (threads > 1 && !one_d && xv.shape[0] == 1 && geo.out[0] >= 2 * threads) {
    BandedConvParams bp;
    bp.geo = geo, bp.group = group, bp.cg = cg, bp.m = m, bp.weights = kdata, bp.bias = bias_data, bp.bands = threads;
    if (!has_z) bp.lo = act.lo, bp.hi = act.hi;
    return FinishConv(ctx, n, AddBandedConv(plan, n.Describe(), x, out_shape, bp), z, out_shape, act);
  }
  const int y = plan.AddValue(out_shape);
  Step s;
  s.what = n.Describe();
  s.inputs = {x};
  s.outputs = {y};
  s.strided_output = true;
  s.clampable = true;
  s.flops = 2.0 * static_cast<double>(ShapeSize(out_shape)) * static_cast<double>(cg * kh * kw);
  if (!has_z) s.output_min = act.lo, s.output_max = act.hi;
  s.create = [geo, group, cg, m, kdata, bias_data](Plan& p, Step& st) {
    const Value& in = p.value(st.inputs[0]);
    const Value& out = p.value(st.outputs[0]);
    auto u = [](int64_t v) { return static_cast<uint32_t>(v); };
    xnn_status r = xnn_create_convolution2d_nhwc_f32(
        u(geo.pad_begin[0]), u(geo.pad_end[1]), u(geo.pad_end[0]), u(geo.pad_begin[1]), u(geo.kernel[0]),
        u(geo.kernel[1]), u(geo.strides[0]), u(geo.strides[1]), u(geo.dilations[0]), u(geo.dilations[1]), u(group),
        static_cast<size_t>(cg), static_cast<size_t>(m / group), in.stride, out.stride, kdata, bias_data,
        st.output_min, st.output_max, 0, &st.op);
    return XnnCheck(r, st.what, "create (convolution)");
  };
  s.setup = [geo](Plan& p, Step& st) {
    const Value& in = p.value(st.inputs[0]);
    xnn_status r = xnn_setup_convolution2d_nhwc_f32(st.op, static_cast<size_t>(in.shape[0]),
                                                    static_cast<size_t>(geo.in[0]), static_cast<size_t>(geo.in[1]),
                                                    p.Data(st.inputs[0]), p.Data(st.outputs[0]), p.pool());
    return XnnCheck(r, st.what, "setup (convolution)");
  };
  plan.AddStep(std::move(s));
  return FinishConv(ctx, n, y, z, out_shape, act);
}

}  // namespace edgerun::xnn
