// Layout-sensitive operators: Flatten and Reshape (aliases where the physical order equals ONNX's,
// e.g. [N, C, 1, 1] -> [N, C], else a copy into ONNX order when the result has rank <= 2), Concat along the channel (physically last) axis, written in place
// by the producers when they can write strided output and else copied, Pad (constant mode) and
// Softmax over the physically last axis.
#include <algorithm>
#include <cstring>
#include <memory>

#include "kernels/xnnpack/xnnpack_layout.h"
#include "kernels/xnnpack/xnnpack_mappers.h"

namespace edgerun::xnn {

namespace {

bool IsInt64Initializer(const ir::Graph& g, const std::string& name) {
  auto it = g.initializers.find(name);
  return it != g.initializers.end() && it->second.dtype() == DataType::kInt64;
}

int64_t NormalizeAxis(int64_t axis, size_t rank) { return axis < 0 ? axis + static_cast<int64_t>(rank) : axis; }

// Pads (ONNX order: begins then ends) from the attribute or the constant input; false if unusable.
bool PadsOf(const ir::Graph& g, const ir::Node& n, std::vector<int64_t>* pads, float* value) {
  if (n.GetString("mode", "constant") != "constant") return false;
  if (n.opset < 11) {
    *pads = n.GetInts(n.opset < 2 ? "paddings" : "pads");
    *value = n.GetFloat("value", 0.0f);
  } else {
    if (!n.HasInput(1) || !IsInt64Initializer(g, n.inputs[1]) || n.HasInput(3)) return false;
    const Tensor& t = g.initializers.at(n.inputs[1]);
    pads->assign(t.data<int64_t>(), t.data<int64_t>() + t.numel());
    *value = 0.0f;
    if (n.HasInput(2)) {
      if (!IsFloatInitializer(g, n.inputs[2]) || g.initializers.at(n.inputs[2]).numel() != 1) return false;
      *value = g.initializers.at(n.inputs[2]).data<float>()[0];
    }
  }
  for (int64_t p : *pads) {
    if (p < 0) return false;
  }
  return pads->size() % 2 == 0;
}

// Copies a dense channels-last value [N, pixels, C] into a plain one in ONNX order [N, C, pixels]:
// the flatten of a feature map before a classifier (fashion_cnn's Flatten of [1, 64, 7, 7]).
int AddToPlainOrder(BuildContext& ctx, const ir::Node& n, int x, const Shape& out_shape) {
  const int y = ctx.plan.AddValue(out_shape);
  Step s;
  s.what = n.Describe();
  s.inputs = {x};
  s.outputs = {y};
  auto buf = std::make_shared<StepBuffers>();
  s.setup = [buf](Plan& p, Step& st) {
    buf->Bind(p, st);
    return Status::Ok();
  };
  const Value& xv = ctx.plan.value(x);
  const int64_t images = xv.shape[0], c = xv.channels(), pixels = xv.pixels() / std::max<int64_t>(1, images);
  s.run = [buf, images, c, pixels]() {
    NhwcToNchw(buf->x, buf->y, images, c, pixels, static_cast<size_t>(c));
    return Status::Ok();
  };
  ctx.plan.AddStep(std::move(s));
  return y;
}

Status MapReshapeLike(BuildContext& ctx, const ir::Node& n, int x, const Shape& out_shape) {
  const Value xv = ctx.plan.value(x);
  if (ShapeSize(out_shape) != ShapeSize(xv.shape)) return Unsupported(n.Describe() + ": element counts differ");
  if (xv.dense() && !xv.LayoutTrivial() && out_shape.size() <= 2) {  // rank <= 2 is stored in ONNX order
    ctx.Define(n.outputs[0], AddToPlainOrder(ctx, n, x, out_shape));
    return Status::Ok();
  }
  if (!xv.dense() || !xv.LayoutTrivial()) return Unsupported(n.Describe() + ": would need a layout change");
  const int y = ctx.plan.AddAlias(x, out_shape);
  if (!ctx.plan.value(y).LayoutTrivial()) return Unsupported(n.Describe() + ": would need a layout change");
  ctx.Define(n.outputs[0], y);
  return Status::Ok();
}

Status MapConcat(BuildContext& ctx, const ir::Node& n) {
  Plan& plan = ctx.plan;
  std::vector<int> ins;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    int v;
    EDGERUN_ASSIGN_OR_RETURN(v, ctx.Input(n, i));
    ins.push_back(v);
  }
  const Shape first = plan.value(ins[0]).shape;
  const size_t rank = first.size();
  const int64_t axis = NormalizeAxis(n.GetInt("axis", 1), rank);
  const bool cl = plan.value(ins[0]).channels_last;
  if (rank == 0 || !((cl && axis == 1) || (!cl && axis == static_cast<int64_t>(rank) - 1))) {
    return Unsupported(n.Describe() + ": only the channel (physically last) axis is mapped");
  }
  Shape out_shape = first;
  out_shape[static_cast<size_t>(axis)] = 0;
  for (int v : ins) {
    const Shape& s = plan.value(v).shape;
    if (s.size() != rank) return Unsupported(n.Describe() + ": input ranks differ");
    for (size_t d = 0; d < rank; ++d) {
      if (static_cast<int64_t>(d) != axis && s[d] != first[d]) return Unsupported(n.Describe() + ": input shapes differ");
    }
    out_shape[static_cast<size_t>(axis)] += s[static_cast<size_t>(axis)];
  }
  const int y = plan.AddValue(out_shape);
  size_t offset = 0;
  for (size_t i = 0; i < ins.size(); ++i) {
    const int v = ins[i];
    const Value vv = plan.value(v);
    const size_t ch = static_cast<size_t>(vv.channels());
    if (ch == 0) continue;
    const bool in_place = vv.producer >= 0 && !vv.is_input && vv.dense() && ctx.SingleInternalUse(n.inputs[i]) &&
                          plan.step(vv.producer).strided_output && plan.step(vv.producer).outputs.size() == 1;
    if (in_place) {
      plan.PlaceAsSlice(v, y, offset);
    } else {
      const int slice = plan.AddValue(vv.shape);
      plan.PlaceAsSlice(slice, y, offset);
      Step s;
      s.what = n.Describe();
      s.inputs = {v};
      s.outputs = {slice};
      s.create = [](Plan& p, Step& st) {
        const Value& in = p.value(st.inputs[0]);
        xnn_status r = xnn_create_copy_nc_x32(static_cast<size_t>(in.channels()), in.stride,
                                              p.value(st.outputs[0]).stride, 0, &st.op);
        return XnnCheck(r, st.what, "create (copy)");
      };
      s.setup = [](Plan& p, Step& st) {
        xnn_status r = xnn_setup_copy_nc_x32(st.op, static_cast<size_t>(p.value(st.inputs[0]).pixels()),
                                             p.Data(st.inputs[0]), p.Data(st.outputs[0]), p.pool());
        return XnnCheck(r, st.what, "setup (copy)");
      };
      plan.AddStep(std::move(s));
    }
    offset += ch;
  }
  ctx.Define(n.outputs[0], y);
  return Status::Ok();
}

Status MapPad(BuildContext& ctx, const ir::Node& n) {
  Plan& plan = ctx.plan;
  int x;
  EDGERUN_ASSIGN_OR_RETURN(x, ctx.Input(n, 0));
  const Value xv = plan.value(x);
  std::vector<int64_t> pads;
  float value = 0;
  if (!PadsOf(ctx.graph, n, &pads, &value) || pads.size() != 2 * xv.shape.size() || !xv.dense() ||
      xv.shape.size() > XNN_MAX_TENSOR_DIMS || xv.shape.empty()) {
    return Unsupported(n.Describe() + ": pads not mapped");
  }
  const size_t rank = xv.shape.size();
  Shape out_shape = xv.shape;
  for (size_t d = 0; d < rank; ++d) out_shape[d] += pads[d] + pads[d + rank];
  // Physical order of the ONNX dims.
  std::vector<size_t> perm(rank);
  for (size_t d = 0; d < rank; ++d) perm[d] = d;
  if (xv.channels_last && rank >= 3) {  // (rank >= 3 always holds here; said for GCC's -Wstringop-overflow)
    perm.erase(perm.begin() + 1);
    perm.push_back(1);
  }
  std::vector<size_t> pre(rank), post(rank), dims(rank);
  for (size_t d = 0; d < rank; ++d) {
    pre[d] = static_cast<size_t>(pads[perm[d]]);
    post[d] = static_cast<size_t>(pads[perm[d] + rank]);
    dims[d] = static_cast<size_t>(xv.shape[perm[d]]);
  }
  const int y = plan.AddValue(out_shape);
  Step s;
  s.what = n.Describe();
  s.inputs = {x};
  s.outputs = {y};
  s.create = [value](Plan&, Step& st) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return XnnCheck(xnn_create_constant_pad_nd_x32(&bits, 0, &st.op), st.what, "create (pad)");
  };
  s.setup = [pre, post, dims](Plan& p, Step& st) {
    xnn_status r = xnn_setup_constant_pad_nd_x32(st.op, dims.size(), dims.data(), pre.data(), post.data(),
                                                 p.Data(st.inputs[0]), p.Data(st.outputs[0]), p.pool());
    return XnnCheck(r, st.what, "setup (pad)");
  };
  plan.AddStep(std::move(s));
  ctx.Define(n.outputs[0], y);
  return Status::Ok();
}

Status MapSoftmax(BuildContext& ctx, const ir::Node& n) {
  Plan& plan = ctx.plan;
  int x;
  EDGERUN_ASSIGN_OR_RETURN(x, ctx.Input(n, 0));
  const Value xv = plan.value(x);
  const size_t rank = xv.shape.size();
  const int64_t axis = NormalizeAxis(n.GetInt("axis", n.opset < 13 ? 1 : -1), rank);
  const bool ok = rank > 0 && ((!xv.channels_last && axis == static_cast<int64_t>(rank) - 1) ||
                               (xv.channels_last && axis == 1 && (n.opset >= 13 || xv.pixels() == xv.shape[0])));
  if (!ok) return Unsupported(n.Describe() + ": softmax axis is not the physically last one");
  const int y = plan.AddValue(xv.shape);
  Step s;
  s.what = n.Describe();
  s.inputs = {x};
  s.outputs = {y};
  s.strided_output = true;
  s.create = [](Plan& p, Step& st) {
    const Value& in = p.value(st.inputs[0]);
    xnn_status r = xnn_create_softmax_nc_f32(static_cast<size_t>(in.channels()), in.stride,
                                             p.value(st.outputs[0]).stride, 0, &st.op);
    return XnnCheck(r, st.what, "create (softmax)");
  };
  s.setup = [](Plan& p, Step& st) {
    xnn_status r = xnn_setup_softmax_nc_f32(st.op, static_cast<size_t>(p.value(st.inputs[0]).pixels()),
                                            p.Data(st.inputs[0]), p.Data(st.outputs[0]), p.pool());
    return XnnCheck(r, st.what, "setup (softmax)");
  };
  plan.AddStep(std::move(s));
  ctx.Define(n.outputs[0], y);
  return Status::Ok();
}

}  // namespace

bool ClaimShapeOp(const ir::Graph& g, const ir::Node& n, bool plain) {
  const std::string& op = n.op_type;
  if (n.outputs.size() != 1 || !n.HasInput(0) || g.IsInitializer(n.inputs[0])) return false;
  const int rank = KnownRank(g, n.inputs[0]);
  // With a known rank, the axis must be the physically last one (channels for rank >= 3).
  auto last_axis = [&](int64_t axis, bool rank4_ok) {
    if (rank < 0) return true;
    axis = NormalizeAxis(axis, static_cast<size_t>(rank));
    return rank >= 3 && !plain ? (rank4_ok && axis == 1) : axis == rank - 1;
  };
  if (op == "Flatten") return n.inputs.size() == 1;
  if (op == "Softmax") return n.inputs.size() == 1 && last_axis(n.GetInt("axis", n.opset < 13 ? 1 : -1), true);
  if (op == "Reshape") return n.inputs.size() == 2 && IsInt64Initializer(g, n.inputs[1]);
  if (op == "Concat") {
    if (!last_axis(n.GetInt("axis", 1), true)) return false;
    for (const auto& in : n.inputs) {
      if (in.empty() || g.IsInitializer(in)) return false;
    }
    return true;
  }
  if (op == "Pad") {
    std::vector<int64_t> pads;
    float value;
    return PadsOf(g, n, &pads, &value);
  }
  return false;
}

Status MapShapeOp(BuildContext& ctx, const ir::Node& n) {
  const std::string& op = n.op_type;
  if (op == "Concat") return MapConcat(ctx, n);
  if (op == "Pad") return MapPad(ctx, n);
  if (op == "Softmax") return MapSoftmax(ctx, n);
  int x;
  EDGERUN_ASSIGN_OR_RETURN(x, ctx.Input(n, 0));
  const Shape in = ctx.plan.value(x).shape;
  Shape out;
  if (op == "Flatten") {
    const int64_t axis = NormalizeAxis(n.GetInt("axis", 1), in.size());
    if (axis < 0 || axis > static_cast<int64_t>(in.size())) return Unsupported(n.Describe() + ": bad axis");
    int64_t outer = 1, inner = 1;
    for (size_t d = 0; d < in.size(); ++d) (static_cast<int64_t>(d) < axis ? outer : inner) *= in[d];
    out = {outer, inner};
  } else {
    const Tensor& t = *ctx.Constant(n, 1);
    const bool allow_zero = n.GetInt("allowzero", 0) != 0;
    int64_t known = 1;
    int infer = -1;
    for (int64_t i = 0; i < t.numel(); ++i) {
      int64_t d = t.data<int64_t>()[i];
      if (d == 0 && !allow_zero) {
        if (static_cast<size_t>(i) >= in.size()) return Unsupported(n.Describe() + ": bad shape");
        d = in[static_cast<size_t>(i)];
      }
      if (d == -1) {
        if (infer >= 0) return Unsupported(n.Describe() + ": two -1 dims");
        infer = static_cast<int>(i);
        out.push_back(1);
        continue;
      }
      if (d < 0) return Unsupported(n.Describe() + ": bad shape");
      known *= d;
      out.push_back(d);
    }
    if (infer >= 0) {
      if (known == 0) return Unsupported(n.Describe() + ": cannot infer -1");
      out[static_cast<size_t>(infer)] = ShapeSize(in) / known;
    }
  }
  return MapReshapeLike(ctx, n, x, out);
}

}  // namespace edgerun::xnn
