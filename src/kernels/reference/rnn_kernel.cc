// RNN, GRU and LSTM reference kernels: the ONNX recurrences computed step by step per
// direction and batch entry in double precision. Steps past a batch entry's sequence length
// leave Y at zero; Y_h / Y_c hold the state after the entry's last processed step (the initial
// state when its length is 0). LSTMs with float inputs in the common configurations take the
// fp32 path of rnn_lstm_f32.h instead, checked against this one.
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kernels/reference/rnn_common.h"
#include "kernels/reference/rnn_kernels.h"
#include "kernels/reference/rnn_lstm_f32.h"

namespace edgerun {
namespace {

// out[j] = bias[j] + sum_k m[j, k] * v[k] for j < rows.
void MatVec(const double* m, const double* v, int64_t rows, int64_t cols, const double* bias, double* out) {
  for (int64_t j = 0; j < rows; ++j) {
    const double* row = m + j * cols;
    double acc = bias[j];
    for (int64_t k = 0; k < cols; ++k) acc += row[k] * v[k];
    out[j] = acc;
  }
}

class RecurrentKernel final : public Kernel {
 public:
  explicit RecurrentKernel(RnnConfig cfg, bool fast) : cfg_(std::move(cfg)), fast_(fast) {}

  Status Run(KernelContext& ctx) const override {
    if (fast_ && LstmF32Applies(cfg_, ctx)) return RunLstmF32(cfg_, ctx);
    RnnInputs in;
    EDGERUN_ASSIGN_OR_RETURN(in, ReadRnnInputs(cfg_, ctx));
    const int64_t S = in.seq, B = in.batch, I = in.input, H = in.hidden;
    const int64_t D = cfg_.num_directions, G = cfg_.gates;
    EDGERUN_RETURN_IF_ERROR_CTX(CheckShapeAllocatable(DataType::kDouble, {S, D, B, H}), cfg_.desc);

    std::vector<double> y(static_cast<size_t>(S * D * B * H), 0.0);
    std::vector<double> y_h(static_cast<size_t>(D * B * H), 0.0);
    std::vector<double> y_c(cfg_.kind == RnnKind::kLstm ? y_h.size() : 0, 0.0);
    std::vector<double> gx(static_cast<size_t>(G * H));
    std::vector<double> gh(static_cast<size_t>(G * H));
    std::vector<double> h(static_cast<size_t>(H));
    std::vector<double> c(static_cast<size_t>(H));
    std::vector<double> tmp(static_cast<size_t>(H));
    std::vector<double> next(static_cast<size_t>(H));

    for (int64_t d = 0; d < D; ++d) {
      const bool reverse = cfg_.reverse || d == 1;
      const double* w = in.w.data() + d * G * H * I;
      const double* r = in.r.data() + d * G * H * H;
      const double* wb = in.b.data() + d * 2 * G * H;
      const double* rb = wb + G * H;
      const RnnActivation* acts = cfg_.activations.data() + d * cfg_.acts_per_direction;
      for (int64_t b = 0; b < B; ++b) {
        std::copy_n(in.h0.begin() + (d * B + b) * H, H, h.begin());
        if (cfg_.kind == RnnKind::kLstm) std::copy_n(in.c0.begin() + (d * B + b) * H, H, c.begin());
        const int64_t len = in.lens[static_cast<size_t>(b)];
        for (int64_t step = 0; step < len; ++step) {
          const int64_t t = reverse ? len - 1 - step : step;
          MatVec(w, in.x.data() + (t * B + b) * I, G * H, I, wb, gx.data());
          MatVec(r, h.data(), G * H, H, rb, gh.data());
          switch (cfg_.kind) {
            case RnnKind::kRnn: StepRnn(acts, gx, gh, &h); break;
            case RnnKind::kGru: StepGru(acts, r, rb, gx, gh, &h, &tmp, &next); break;
            case RnnKind::kLstm: StepLstm(acts, in.p.data() + d * 3 * H, gx, gh, &h, &c); break;
          }
          std::copy(h.begin(), h.end(), y.begin() + ((t * D + d) * B + b) * H);
        }
        std::copy(h.begin(), h.end(), y_h.begin() + (d * B + b) * H);
        if (cfg_.kind == RnnKind::kLstm) std::copy(c.begin(), c.end(), y_c.begin() + (d * B + b) * H);
      }
    }
    return WriteRnnOutputs(cfg_, in, y, y_h, y_c, ctx);
  }

 private:
  double Clip(double v) const { return cfg_.has_clip ? std::clamp(v, -cfg_.clip, cfg_.clip) : v; }

  // Ht = f(Xt Wi + Ht-1 Ri + Wbi + Rbi)
  void StepRnn(const RnnActivation* acts, const std::vector<double>& gx, const std::vector<double>& gh,
               std::vector<double>* h) const {
    for (size_t j = 0; j < h->size(); ++j) (*h)[j] = acts[0].Apply(Clip(gx[j] + gh[j]));
  }

  // Gates z, r, h; linear_before_reset applies r after the recurrent product.
  void StepGru(const RnnActivation* acts, const double* r_mat, const double* rb, const std::vector<double>& gx,
               const std::vector<double>& gh, std::vector<double>* h, std::vector<double>* tmp,
               std::vector<double>* next) const {
    const int64_t H = static_cast<int64_t>(h->size());
    std::vector<double>& rh = *tmp;
    if (!cfg_.linear_before_reset) {
      for (int64_t j = 0; j < H; ++j) rh[j] = acts[0].Apply(Clip(gx[H + j] + gh[H + j])) * (*h)[j];
    }
    for (int64_t j = 0; j < H; ++j) {
      const double z = acts[0].Apply(Clip(gx[j] + gh[j]));
      double pre = 0.0;
      if (cfg_.linear_before_reset) {
        const double rg = acts[0].Apply(Clip(gx[H + j] + gh[H + j]));
        pre = gx[2 * H + j] + rg * gh[2 * H + j];
      } else {
        const double* row = r_mat + (2 * H + j) * H;
        double acc = rb[2 * H + j];
        for (int64_t k = 0; k < H; ++k) acc += row[k] * rh[k];
        pre = gx[2 * H + j] + acc;
      }
      const double cand = acts[1].Apply(Clip(pre));
      (*next)[j] = (1.0 - z) * cand + z * (*h)[j];  // h is still H(t-1) for later j
    }
    h->swap(*next);
  }

  // Gates i, o, f, c with peepholes P = [Pi, Po, Pf].
  void StepLstm(const RnnActivation* acts, const double* p, const std::vector<double>& gx,
                const std::vector<double>& gh, std::vector<double>* h, std::vector<double>* c) const {
    const int64_t H = static_cast<int64_t>(h->size());
    for (int64_t j = 0; j < H; ++j) {
      const double c_prev = (*c)[j];
      const double i = acts[0].Apply(Clip(gx[j] + gh[j] + p[j] * c_prev));
      const double f = cfg_.input_forget ? 1.0 - i
                                         : acts[0].Apply(Clip(gx[2 * H + j] + gh[2 * H + j] + p[2 * H + j] * c_prev));
      const double cand = acts[1].Apply(Clip(gx[3 * H + j] + gh[3 * H + j]));
      const double c_new = f * c_prev + i * cand;
      const double o = acts[0].Apply(Clip(gx[H + j] + gh[H + j] + p[H + j] * c_new));
      (*c)[j] = c_new;
      (*h)[j] = o * acts[2].Apply(c_new);
    }
  }

  RnnConfig cfg_;
  bool fast_;  // LSTM with float inputs: the fp32 path (rnn_lstm_f32.h) when it applies
};

Result<std::unique_ptr<Kernel>> Create(const KernelCreateContext& ctx, RnnKind kind) {
  RnnConfig cfg;
  EDGERUN_ASSIGN_OR_RETURN(cfg, ParseRnnConfig(ctx.node, ctx.opset, kind));
  // EDGERUN_FAST_LSTM=0 keeps every LSTM on the double-precision recurrence (A/B and parity runs).
  const char* env = std::getenv("EDGERUN_FAST_LSTM");
  const bool fast = LstmF32Supports(cfg) && !(env != nullptr && std::string(env) == "0");
  return std::unique_ptr<Kernel>(std::make_unique<RecurrentKernel>(std::move(cfg), fast));
}

}  // namespace

Result<std::unique_ptr<Kernel>> CreateRnnKernel(const KernelCreateContext& ctx) { return Create(ctx, RnnKind::kRnn); }
Result<std::unique_ptr<Kernel>> CreateGruKernel(const KernelCreateContext& ctx) { return Create(ctx, RnnKind::kGru); }
Result<std::unique_ptr<Kernel>> CreateLstmKernel(const KernelCreateContext& ctx) { return Create(ctx, RnnKind::kLstm); }

}  // namespace edgerun
