// LSTM in fp32 (see rnn_lstm_f32.h).
#include "kernels/reference/rnn_lstm_f32.h"

#include <algorithm>
#include <initializer_list>
#include <atomic>
#include <vector>

#include "kernels/reference/vector_math.h"

namespace edgerun {
namespace {

std::atomic<int64_t> g_runs{0};

// t is float with exactly these dims (compared in place: no Shape is built on the run path).
bool IsFloat(const Tensor& t, std::initializer_list<int64_t> dims) {
  if (t.dtype() != DataType::kFloat || t.rank() != static_cast<int64_t>(dims.size())) return false;
  int64_t d = 0;
  for (int64_t v : dims) {
    if (t.dim(d++) != v) return false;
  }
  return true;
}

// dst[k * cols + j] = src[j * rows + k]: the [cols, rows] matrix src transposed.
void Transpose(const float* src, int64_t cols, int64_t rows, float* dst) {
  for (int64_t j = 0; j < cols; ++j) {
    for (int64_t k = 0; k < rows; ++k) dst[k * cols + j] = src[j * rows + k];
  }
}

// g[j] += sum_k v[k] * mt[k * n + j] for j < n, in blocks of 32 outputs whose sums stay in
// registers over k (the compiler vectorizes the block's lanes).
void AddMatVecT(const float* __restrict mt, const float* __restrict v, int64_t rows, int64_t n, float* __restrict g) {
  constexpr int64_t kBlock = 32;
  int64_t j0 = 0;
  for (; j0 + kBlock <= n; j0 += kBlock) {
    float acc[kBlock];
    for (int64_t j = 0; j < kBlock; ++j) acc[j] = g[j0 + j];
    for (int64_t k = 0; k < rows; ++k) {
      const float vk = v[k];
      const float* row = mt + k * n + j0;
      for (int64_t j = 0; j < kBlock; ++j) acc[j] += vk * row[j];
    }
    for (int64_t j = 0; j < kBlock; ++j) g[j0 + j] = acc[j];
  }
  for (int64_t k = 0; k < rows && j0 < n; ++k) {
    const float vk = v[k];
    const float* row = mt + k * n;
    for (int64_t j = j0; j < n; ++j) g[j] += vk * row[j];
  }
}

void ClipInPlace(float* v, int64_t n, float clip) {
  for (int64_t j = 0; j < n; ++j) v[j] = std::clamp(v[j], -clip, clip);
}

}  // namespace

bool LstmF32Supports(const RnnConfig& cfg) {
  if (cfg.kind != RnnKind::kLstm || cfg.layout != 0 || cfg.gates != 4 || cfg.acts_per_direction != 3) return false;
  if (cfg.activations.size() != static_cast<size_t>(cfg.num_directions * 3)) return false;
  for (int64_t d = 0; d < cfg.num_directions; ++d) {
    const RnnActivation* a = cfg.activations.data() + d * 3;
    if (a[0].fn != RnnActivation::Fn::kSigmoid || a[1].fn != RnnActivation::Fn::kTanh ||
        a[2].fn != RnnActivation::Fn::kTanh) {
      return false;
    }
  }
  return true;
}

bool LstmF32Applies(const RnnConfig& cfg, const KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  const Tensor& r = ctx.input(2);
  if (x.dtype() != DataType::kFloat || x.rank() != 3 || r.rank() != 3) return false;
  const int64_t dirs = cfg.num_directions, seq = x.dim(0), batch = x.dim(1), input = x.dim(2);
  const int64_t hidden = cfg.hidden_size > 0 ? cfg.hidden_size : r.dim(2);
  if (seq < 1 || batch < 1 || input < 1 || hidden < 1) return false;
  if (!IsFloat(w, {dirs, 4 * hidden, input}) || !IsFloat(r, {dirs, 4 * hidden, hidden})) return false;
  if (ctx.has_input(3) && !IsFloat(ctx.input(3), {dirs, 8 * hidden})) return false;
  if (ctx.has_input(4)) {
    const Tensor& lens = ctx.input(4);
    if (lens.dtype() != DataType::kInt32 || lens.rank() != 1 || lens.dim(0) != batch) return false;
    for (int64_t b = 0; b < batch; ++b) {
      const int32_t len = lens.data<int32_t>()[b];
      if (len < 0 || len > seq) return false;  // the reference reports it
    }
  }
  for (size_t i : {size_t{5}, size_t{6}}) {
    if (ctx.has_input(i) && !IsFloat(ctx.input(i), {dirs, batch, hidden})) return false;
  }
  return !ctx.has_input(7) || IsFloat(ctx.input(7), {dirs, 3 * hidden});
}

int64_t LstmF32Runs() { return g_runs.load(); }

Status RunLstmF32(const RnnConfig& cfg, KernelContext& ctx) {
  g_runs.fetch_add(1, std::memory_order_relaxed);
  const Tensor& x = ctx.input(0);
  const Tensor& r_t = ctx.input(2);
  const int64_t S = x.dim(0), B = x.dim(1), I = x.dim(2), D = cfg.num_directions;
  const int64_t H = cfg.hidden_size > 0 ? cfg.hidden_size : r_t.dim(2), G = 4 * H;

  Tensor* y = nullptr;
  Tensor* y_h = nullptr;
  Tensor* y_c = nullptr;
  if (ctx.output_wanted(0)) {
    EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, DataType::kFloat, {S, D, B, H}));
  }
  if (ctx.output_wanted(1)) {
    EDGERUN_ASSIGN_OR_RETURN(y_h, ctx.AllocateOutput(1, DataType::kFloat, {D, B, H}));
  }
  if (ctx.output_wanted(2)) {
    EDGERUN_ASSIGN_OR_RETURN(y_c, ctx.AllocateOutput(2, DataType::kFloat, {D, B, H}));
  }
  const int32_t* lens = ctx.has_input(4) ? ctx.input(4).data<int32_t>() : nullptr;
  if (y != nullptr && lens != nullptr) std::fill_n(y->data<float>(), S * D * B * H, 0.0f);  // past each length

  // Per-thread scratch that only grows: W^T, R^T, the summed bias, the gates, h, c, tanh(c).
  thread_local std::vector<float> scratch;
  const size_t need = static_cast<size_t>(I * G + H * G + G + G + 3 * H);
  if (scratch.size() < need) scratch.resize(need);
  float* wt = scratch.data();
  float* rt = wt + I * G;
  float* bias = rt + H * G;
  float* g = bias + G;
  float* h = g + G;
  float* c = h + H;
  float* tc = c + H;
  const float clip = static_cast<float>(cfg.clip);

  for (int64_t d = 0; d < D; ++d) {
    const bool reverse = cfg.reverse || d == 1;
    Transpose(ctx.input(1).data<float>() + d * G * I, G, I, wt);
    Transpose(r_t.data<float>() + d * G * H, G, H, rt);
    if (ctx.has_input(3)) {
      const float* wb = ctx.input(3).data<float>() + d * 2 * G;
      for (int64_t j = 0; j < G; ++j) bias[j] = wb[j] + wb[G + j];
    } else {
      std::fill_n(bias, G, 0.0f);
    }
    const float* p = ctx.has_input(7) ? ctx.input(7).data<float>() + d * 3 * H : nullptr;
    for (int64_t b = 0; b < B; ++b) {
      const int64_t state = (d * B + b) * H;
      if (ctx.has_input(5)) std::copy_n(ctx.input(5).data<float>() + state, H, h);
      else std::fill_n(h, H, 0.0f);
      if (ctx.has_input(6)) std::copy_n(ctx.input(6).data<float>() + state, H, c);
      else std::fill_n(c, H, 0.0f);
      const int64_t len = lens != nullptr ? lens[b] : S;
      for (int64_t step = 0; step < len; ++step) {
        const int64_t t = reverse ? len - 1 - step : step;
        // Gates i, o, f, c: bias + W x(t) + R h(t-1).
        std::copy_n(bias, G, g);
        AddMatVecT(wt, x.data<float>() + (t * B + b) * I, I, G, g);
        AddMatVecT(rt, h, H, G, g);
        float* gi = g;
        float* go = g + H;
        float* gf = g + 2 * H;
        float* gc = g + 3 * H;
        if (p != nullptr) {
          for (int64_t j = 0; j < H; ++j) gi[j] += p[j] * c[j], gf[j] += p[2 * H + j] * c[j];
        }
        if (cfg.has_clip) ClipInPlace(gi, H, clip), ClipInPlace(gf, H, clip), ClipInPlace(gc, H, clip);
        SigmoidInPlace(gi, H);
        if (!cfg.input_forget) SigmoidInPlace(gf, H);
        TanhInPlace(gc, H);
        for (int64_t j = 0; j < H; ++j) {
          const float f = cfg.input_forget ? 1.0f - gi[j] : gf[j];
          c[j] = f * c[j] + gi[j] * gc[j];
        }
        if (p != nullptr) {
          for (int64_t j = 0; j < H; ++j) go[j] += p[H + j] * c[j];
        }
        if (cfg.has_clip) ClipInPlace(go, H, clip);
        SigmoidInPlace(go, H);
        std::copy_n(c, H, tc);
        TanhInPlace(tc, H);
        for (int64_t j = 0; j < H; ++j) h[j] = go[j] * tc[j];
        if (y != nullptr) std::copy_n(h, H, y->data<float>() + ((t * D + d) * B + b) * H);
      }
      if (y_h != nullptr) std::copy_n(h, H, y_h->data<float>() + state);
      if (y_c != nullptr) std::copy_n(c, H, y_c->data<float>() + state);
    }
  }
  return Status::Ok();
}

}  // namespace edgerun
