// Gemm and MatMul with a constant 2D B on XNNPACK's fully connected operator. The activation must
// be stored in ONNX order (rank <= 2, or any rank in plans with the plain layout, whose leading
// dims are the operator's batch); alpha scales the weights and beta the bias (C of shape [], [1],
// [N] or [1, N]).
#include "kernels/xnnpack/xnnpack_mappers.h"

namespace edgerun::xnn {

namespace {

bool BiasShapeOk(const Tensor& c, int64_t n) {
  if (c.rank() == 0) return true;
  if (c.rank() == 1) return c.dim(0) == 1 || c.dim(0) == n;
  if (c.rank() == 2) return c.dim(0) == 1 && (c.dim(1) == 1 || c.dim(1) == n);
  return false;
}

}  // namespace

bool ClaimDense(const ir::Graph& g, const ir::Node& n, bool plain) {
  const bool gemm = n.op_type == "Gemm";
  if (!gemm && n.op_type != "MatMul") return false;
  if (!n.HasInput(0) || !n.HasInput(1) || n.outputs.size() != 1) return false;
  if (g.IsInitializer(n.inputs[0]) || !IsFloatInitializer(g, n.inputs[1])) return false;
  const Tensor& b = g.initializers.at(n.inputs[1]);
  if (b.rank() != 2) return false;
  const int rank = KnownRank(g, n.inputs[0]);
  if (gemm) {
    if (n.GetInt("transA", 0) != 0 || (rank >= 0 && rank != 2)) return false;
    if (n.inputs.size() > 3) return false;
    if (n.HasInput(2)) {
      if (!IsFloatInitializer(g, n.inputs[2])) return false;
      const int64_t cols = n.GetInt("transB", 0) ? b.dim(0) : b.dim(1);
      if (!BiasShapeOk(g.initializers.at(n.inputs[2]), cols)) return false;
    }
    return true;
  }
  return n.inputs.size() == 2 && (rank < 0 || rank == 1 || rank == 2 || (plain && rank > 2));
}

Status MapDense(BuildContext& ctx, const ir::Node& n) {
  Plan& plan = ctx.plan;
  int a;
  EDGERUN_ASSIGN_OR_RETURN(a, ctx.Input(n, 0));
  const Value av = plan.value(a);
  const bool gemm = n.op_type == "Gemm";
  if (av.shape.empty() || (av.shape.size() > 2 && av.channels_last) || !av.dense() ||
      (gemm && av.shape.size() != 2)) {
    return Unsupported(n.Describe() + ": needs a dense activation in ONNX order (rank <= 2, or a plain-layout plan)");
  }
  const Tensor& b = *ctx.Constant(n, 1);
  const bool trans_b = gemm && n.GetInt("transB", 0) != 0;
  const int64_t k = trans_b ? b.dim(1) : b.dim(0), cols = trans_b ? b.dim(0) : b.dim(1);
  if (av.shape.back() != k) return Unsupported(n.Describe() + ": inner dimensions differ");
  const float alpha = gemm ? n.GetFloat("alpha", 1.0f) : 1.0f;
  const float beta = gemm ? n.GetFloat("beta", 1.0f) : 1.0f;
  // XNNPACK packs the weights from B itself ([cols, k] as Gemm's transB stores it, or [k, cols]
  // with XNN_FLAG_TRANSPOSE_WEIGHTS) when the plan is finalized, while the graph still holds B; only
  // a scaled B (alpha != 1) needs a copy first (mobilenet_v2's 1280x1000 classifier: 5 MB less to
  // zero, copy and fault in at the first run).
  const float* wdata = b.data<float>();
  uint32_t flags = trans_b ? 0 : XNN_FLAG_TRANSPOSE_WEIGHTS;
  if (alpha != 1.0f) {
    std::vector<float>& w = plan.NewConstant(static_cast<size_t>(k * cols), false);  // [cols, k]
    const float* src = b.data<float>();
    for (int64_t o = 0; o < cols; ++o) {
      for (int64_t i = 0; i < k; ++i) w[static_cast<size_t>(o * k + i)] = alpha * (trans_b ? src[o * k + i] : src[i * cols + o]);
    }
    wdata = w.data();
    flags = 0;
  }
  const float* bias_data = nullptr;
  if (gemm && n.HasInput(2)) {
    const Tensor& c = *ctx.Constant(n, 2);
    std::vector<float>& bias = plan.NewConstant(static_cast<size_t>(cols), false);
    for (int64_t o = 0; o < cols; ++o) {
      const float v = c.data<float>()[c.numel() == 1 ? 0 : o];
      bias[static_cast<size_t>(o)] = beta == 1.0f ? v : beta * v;
    }
    bias_data = bias.data();
  }
  Shape out_shape = av.shape;
  out_shape.back() = cols;
  const int y = plan.AddValue(out_shape);
  Step s;
  s.what = n.Describe();
  s.inputs = {a};
  s.outputs = {y};
  s.strided_output = true;
  s.clampable = true;
  s.create = [k, cols, wdata, bias_data, flags](Plan& p, Step& st) {
    xnn_status r = xnn_create_fully_connected_nc_f32(static_cast<size_t>(k), static_cast<size_t>(cols),
                                                     p.value(st.inputs[0]).stride, p.value(st.outputs[0]).stride,
                                                     wdata, bias_data, st.output_min, st.output_max, flags, &st.op);
    return XnnCheck(r, st.what, "create (fully connected)");
  };
  s.setup = [](Plan& p, Step& st) {
    xnn_status r = xnn_setup_fully_connected_nc_f32(st.op, static_cast<size_t>(p.value(st.inputs[0]).pixels()),
                                                    p.Data(st.inputs[0]), p.Data(st.outputs[0]), p.pool());
    return XnnCheck(r, st.what, "setup (fully connected)");
  };
  plan.AddStep(std::move(s));
  ctx.Define(n.outputs[0], y);
  return Status::Ok();
}

}  // namespace edgerun::xnn
