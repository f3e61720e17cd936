// Gemm and MatMul with a constant 2D B on XNNPACK's fully connected operator. The activation must
// be stored in ONNX order (rank <= 2, or any rank in plans with the plain layout, whose leading
// dims are the operator's batch); alpha scales the weights and beta the bias (C of shape [], [1],
// [N] or [1, N]).
#include <immintrin.h>

#include <algorithm>
#include <memory>

#include "kernels/xnnpack/gemm_tile_avx2.h"
#include "kernels/xnnpack/xnnpack_mappers.h"

namespace edgerun::xnn {

namespace {

// One activation row (batch 1: the classifier at the end of a CNN, an MLP step) times B read in
// place from the graph: no packed copy of the weights (mobilenet_v2's 1280x1000 classifier is 5
// MB that XNNPACK packs at the first run, about 6 ms of page faults and transposition there), and
// the product is bound by reading B either way.
struct Gemv {
  const float* b = nullptr;  // [k, cols], or [cols, k] when trans_b
  const float* bias = nullptr;
  int64_t k = 0, cols = 0;
  bool trans_b = false;
  StepBuffers io;

  void Run() const {
    const bool avx2 = gemm_tile::Available();
    if (trans_b) {
      if (avx2) {
        DotsAvx2(io.x, io.y);
      } else {
        for (int64_t j = 0; j < cols; ++j) {
          float acc = 0;
          for (int64_t i = 0; i < k; ++i) acc += io.x[i] * b[j * k + i];
          io.y[j] = acc;
        }
      }
    } else {
      std::fill(io.y, io.y + cols, 0.0f);
      for (int64_t i = 0; i < k; ++i) {
        const float xi = io.x[i];
        const float* row = b + i * cols;
        if (avx2) {
          AxpyAvx2(xi, row, io.y);
        } else {
          for (int64_t j = 0; j < cols; ++j) io.y[j] += xi * row[j];
        }
      }
    }
    for (int64_t j = 0; j < cols; ++j) {  // bias, then the clamp (NaN stays NaN)
      float v = io.y[j] + (bias != nullptr ? bias[j] : 0.0f);
      io.y[j] = v < io.lo ? io.lo : (v > io.hi ? io.hi : v);
    }
  }

  // y[j] = sum_i x[i] * b[j * k + i]: 8-wide dot products, four outputs at a time (each x load
  // serves four rows of B), then one at a time.
  EDGERUN_GEMM_TILE_AVX2 void DotsAvx2(const float* x, float* y) const {
    int64_t j = 0;
    for (; j + 4 <= cols; j += 4) {
      const float* r0 = b + j * k;
      const float* r1 = r0 + k;
      const float* r2 = r1 + k;
      const float* r3 = r2 + k;
      __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
      int64_t i = 0;
      for (; i + 8 <= k; i += 8) {
        const __m256 xv = _mm256_loadu_ps(x + i);
        a0 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(r0 + i), a0);
        a1 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(r1 + i), a1);
        a2 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(r2 + i), a2);
        a3 = _mm256_fmadd_ps(xv, _mm256_loadu_ps(r3 + i), a3);
      }
      // Horizontal sums of the four: y[j..j+3].
      const __m256 s01 = _mm256_hadd_ps(a0, a1), s23 = _mm256_hadd_ps(a2, a3);
      const __m256 s = _mm256_hadd_ps(s01, s23);
      const __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
      alignas(16) float out[4];
      _mm_store_ps(out, h);
      for (; i < k; ++i) {
        out[0] += x[i] * r0[i], out[1] += x[i] * r1[i], out[2] += x[i] * r2[i], out[3] += x[i] * r3[i];
      }
      y[j] = out[0], y[j + 1] = out[1], y[j + 2] = out[2], y[j + 3] = out[3];
    }
    for (; j < cols; ++j) {
      const float* row = b + j * k;
      __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
      int64_t i = 0;
      for (; i + 32 <= k; i += 32) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(row + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(row + i + 8), a1);
        a2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 16), _mm256_loadu_ps(row + i + 16), a2);
        a3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 24), _mm256_loadu_ps(row + i + 24), a3);
      }
      for (; i + 8 <= k; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(row + i), a0);
      const __m256 s = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
      __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
      h = _mm_add_ps(h, _mm_movehl_ps(h, h));
      h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
      float acc = _mm_cvtss_f32(h);
      for (; i < k; ++i) acc += x[i] * row[i];
      y[j] = acc;
    }
  }

  // y[j] += a * row[j] for j < cols.
  EDGERUN_GEMM_TILE_AVX2 void AxpyAvx2(float a, const float* row, float* y) const {
    const __m256 va = _mm256_set1_ps(a);
    int64_t j = 0;
    for (; j + 8 <= cols; j += 8) _mm256_storeu_ps(y + j, _mm256_fmadd_ps(va, _mm256_loadu_ps(row + j), _mm256_loadu_ps(y + j)));
    for (; j < cols; ++j) y[j] += a * row[j];
  }
};

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
  const bool one_row = av.pixels() == 1 && alpha == 1.0f;  // Gemv above: B in place, bias read at run
  const float* bias_data = nullptr;
  if (gemm && n.HasInput(2)) {
    const Tensor& c = *ctx.Constant(n, 2);
    std::vector<float>& bias = plan.NewConstant(static_cast<size_t>(cols), one_row);
    for (int64_t o = 0; o < cols; ++o) {
      const float v = c.data<float>()[c.numel() == 1 ? 0 : o];
      bias[static_cast<size_t>(o)] = beta == 1.0f ? v : beta * v;
    }
    bias_data = bias.data();
  }
  Shape out_shape = av.shape;
  out_shape.back() = cols;
  const int y = plan.AddValue(out_shape);
  if (one_row) {
    auto gemv = std::make_shared<Gemv>();
    gemv->b = b.data<float>(), gemv->bias = bias_data, gemv->k = k, gemv->cols = cols, gemv->trans_b = trans_b;
    Step s = StridedClampStep(n.Describe(), a, -1, y);
    s.strided_output = false;  // one row: nothing to gain from writing a concat slice
    SetDirectRun(s, gemv);
    plan.AddStep(std::move(s));
    ctx.Define(n.outputs[0], y);
    return Status::Ok();
  }
  Step s;
  s.what = n.Describe();
  s.inputs = {a};
  s.outputs = {y};
  s.strided_output = true;
  s.clampable = true;
  s.flops = 2.0 * static_cast<double>(k) * static_cast<double>(cols) * static_cast<double>(av.pixels());
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
