// Tests for RNN/GRU/LSTM behaviour the ONNX node tests miss: layouts, directions, sequence
// lengths, activation parameters, GRU linear_before_reset, LSTM input_forget, and validation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "kernels/reference/kernel_test_util.h"
#include "kernels/reference/rnn_lstm_f32.h"
#include "kernels/reference/vector_math.h"

namespace edgerun {
namespace {

using namespace kernel_test;

// Deterministic pseudo-random values in [-0.5, 0.5).
std::vector<float> Noise(int64_t n, uint32_t seed) {
  std::vector<float> v(static_cast<size_t>(n));
  for (auto& x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = static_cast<float>(seed >> 8) / static_cast<float>(1u << 24) - 0.5f;
  }
  return v;
}

// Swaps the two leading axes of a [a, b, rest] tensor.
Tensor SwapLeading(const Tensor& t) {
  const int64_t a = t.dim(0), b = t.dim(1);
  const int64_t rest = t.numel() / (a * b);
  Shape s = t.shape();
  std::swap(s[0], s[1]);
  Tensor out = Tensor::Create(DataType::kFloat, s).value();
  for (int64_t i = 0; i < a; ++i)
    for (int64_t j = 0; j < b; ++j)
      for (int64_t k = 0; k < rest; ++k) out.data<float>()[(j * a + i) * rest + k] = t.data<float>()[(i * b + j) * rest + k];
  return out;
}

// Sets EDGERUN_FAST_LSTM for the kernels created in its scope ("0": the double recurrence).
class FastLstmSwitch {
 public:
  explicit FastLstmSwitch(const char* value) {
    const char* old = std::getenv("EDGERUN_FAST_LSTM");
    had_ = old != nullptr;
    if (had_) old_ = old;
    if (value) setenv("EDGERUN_FAST_LSTM", value, 1);
    else unsetenv("EDGERUN_FAST_LSTM");
  }
  ~FastLstmSwitch() {
    if (had_) setenv("EDGERUN_FAST_LSTM", old_.c_str(), 1);
    else unsetenv("EDGERUN_FAST_LSTM");
  }

 private:
  bool had_ = false;
  std::string old_;
};

TEST(RnnTest, LayoutOneMatchesLayoutZeroForEveryKind) {
  FastLstmSwitch reference("0");  // layout 1 runs on the double recurrence: compare like with like
  const int64_t S = 3, B = 2, I = 2, H = 3, D = 2;
  for (const char* op : {"RNN", "GRU", "LSTM"}) {
    const int64_t G = std::string(op) == "RNN" ? 1 : std::string(op) == "GRU" ? 3 : 4;
    Tensor x = F32({S, B, I}, Noise(S * B * I, 1));
    Tensor w = F32({D, G * H, I}, Noise(D * G * H * I, 2));
    Tensor r = F32({D, G * H, H}, Noise(D * G * H * H, 3));
    Tensor b = F32({D, 2 * G * H}, Noise(D * 2 * G * H, 4));
    Tensor h0 = F32({D, B, H}, Noise(D * B * H, 5));
    Tensor lens = I32({B}, {3, 2});
    std::vector<Tensor> in0 = {x, w, r, b, lens, h0};
    std::vector<Tensor> in1 = {SwapLeading(x), w, r, b, lens, SwapLeading(h0)};
    size_t outs = 2;
    if (G == 4) {
      Tensor c0 = F32({D, B, H}, Noise(D * B * H, 6));
      in0.push_back(c0);
      in1.push_back(SwapLeading(c0));
      in0.push_back(F32({D, 3 * H}, Noise(D * 3 * H, 7)));
      in1.push_back(in0.back());
      outs = 3;
    }
    Attrs attrs = {{"hidden_size", IntAttr(H)}, {"direction", StringAttr("bidirectional")}};
    auto l0 = RunOp(op, 14, attrs, in0, outs);
    attrs.push_back({"layout", IntAttr(1)});
    auto l1 = RunOp(op, 14, attrs, in1, outs);
    ASSERT_TRUE(l0.ok() && l1.ok()) << op << ": " << l0.status().ToString() << l1.status().ToString();
    // Y: [S, D, B, H] vs [B, S, D, H].
    const Tensor& y0 = (*l0)[0];
    const Tensor& y1 = (*l1)[0];
    ASSERT_EQ(y1.shape(), (Shape{B, S, D, H}));
    for (int64_t s = 0; s < S; ++s)
      for (int64_t d = 0; d < D; ++d)
        for (int64_t bb = 0; bb < B; ++bb)
          for (int64_t h = 0; h < H; ++h)
            EXPECT_EQ(y0.data<float>()[((s * D + d) * B + bb) * H + h], y1.data<float>()[((bb * S + s) * D + d) * H + h]);
    for (size_t k = 1; k < outs; ++k) EXPECT_EQ(Values<float>(SwapLeading((*l0)[k])), Values<float>((*l1)[k])) << op;
    // Batch entry 1 stops after 2 steps: its forward Y at t = 2 is zero and Y_h is Y at t = 1.
    for (int64_t h = 0; h < H; ++h) {
      EXPECT_EQ(y0.data<float>()[((2 * D + 0) * B + 1) * H + h], 0.0f);
      EXPECT_EQ((*l0)[1].data<float>()[(0 * B + 1) * H + h], y0.data<float>()[((1 * D + 0) * B + 1) * H + h]);
      // Reverse direction ends at t = 0.
      EXPECT_EQ((*l0)[1].data<float>()[(1 * B + 1) * H + h], y0.data<float>()[((0 * D + 1) * B + 1) * H + h]);
    }
  }
}

TEST(RnnTest, BidirectionalBackwardHalfEqualsReverse) {
  const int64_t S = 4, B = 1, I = 2, H = 2;
  Tensor x = F32({S, B, I}, Noise(S * B * I, 11));
  std::vector<float> w = Noise(2 * 3 * H * I, 12), r = Noise(2 * 3 * H * H, 13);
  auto bi = RunOp("GRU", 7, {{"hidden_size", IntAttr(H)}, {"direction", StringAttr("bidirectional")}},
                  {x, F32({2, 3 * H, I}, w), F32({2, 3 * H, H}, r)}, 2);
  auto rev = RunOp("GRU", 7, {{"hidden_size", IntAttr(H)}, {"direction", StringAttr("reverse")}},
                   {x, F32({1, 3 * H, I}, std::vector<float>(w.begin() + 3 * H * I, w.end())),
                    F32({1, 3 * H, H}, std::vector<float>(r.begin() + 3 * H * H, r.end()))},
                   2);
  ASSERT_TRUE(bi.ok() && rev.ok());
  std::vector<float> yh = Values<float>((*bi)[1]);
  EXPECT_EQ(std::vector<float>(yh.begin() + H, yh.end()), Values<float>((*rev)[1]));
}

TEST(RnnTest, AffineActivationParameters) {
  // h = 2 * x + 1 with W = 1 and R = 0.
  auto out = RunOp("RNN", 7,
                   {{"hidden_size", IntAttr(1)},
                    {"activations", StringsAttr({"Affine"})},
                    {"activation_alpha", FloatsAttr({2})},
                    {"activation_beta", FloatsAttr({1})}},
                   {F32({2, 1, 1}, {1, 2}), F32({1, 1, 1}, {1}), F32({1, 1, 1}, {0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{3, 5}));
}

TEST(RnnTest, GruLinearBeforeReset) {
  // W = R = [0, 0, 1] (z, r, h), Rbh = 1, h0 = 0.5, x = 1: z = r = 0.5.
  auto run = [](int64_t lbr) {
    auto out = RunOp("GRU", 7, {{"hidden_size", IntAttr(1)}, {"linear_before_reset", IntAttr(lbr)}},
                     {F32({1, 1, 1}, {1}), F32({1, 3, 1}, {0, 0, 1}), F32({1, 3, 1}, {0, 0, 1}),
                      F32({1, 6}, {0, 0, 0, 0, 0, 1}), Tensor(), F32({1, 1, 1}, {0.5f})},
                     2);
    EXPECT_TRUE(out.ok());
    return Values<float>((*out)[1])[0];
  };
  EXPECT_NEAR(run(0), 0.5 * std::tanh(2.25) + 0.25, 1e-6);
  EXPECT_NEAR(run(1), 0.5 * std::tanh(1.75) + 0.25, 1e-6);
}

TEST(RnnTest, LstmInputForgetCouplesGates) {
  // Zero weights, input-gate bias 2, c0 = 1: c = f * c0 with f = 1 - sigmoid(2) when coupled.
  auto run = [](int64_t forget) {
    std::vector<float> bias(8, 0.0f);
    bias[0] = 2.0f;
    auto out = RunOp("LSTM", 7, {{"hidden_size", IntAttr(1)}, {"input_forget", IntAttr(forget)}},
                     {F32({1, 1, 1}, {0}), F32({1, 4, 1}, {}), F32({1, 4, 1}, {}), F32({1, 8}, bias), Tensor(),
                      Tensor(), F32({1, 1, 1}, {1})},
                     3, {false, false, true});
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return Values<float>((*out)[2])[0];
  };
  EXPECT_NEAR(run(0), 0.5f, 1e-6);
  EXPECT_NEAR(run(1), 1.0 - 1.0 / (1.0 + std::exp(-2.0)), 1e-6);
}

// The fp32 LSTM path against the double recurrence over directions, sizes (hidden sizes around
// the 8-float vectors), peepholes, clip, input_forget, initial states and sequence lengths.
TEST(RnnTest, FastLstmMatchesTheDoubleRecurrence) {
  struct Case {
    const char* direction;
    int64_t S, B, I, H;
    bool bias, peepholes, states, lens, clip, input_forget;
  };
  const Case cases[] = {
      {"forward", 1, 1, 1, 1, false, false, false, false, false, false},
      {"forward", 9, 1, 6, 32, true, false, false, false, false, false},
      {"forward", 7, 3, 7, 5, true, true, true, true, false, false},
      {"reverse", 9, 2, 3, 16, true, false, true, true, true, false},
      {"bidirectional", 6, 3, 4, 9, true, true, true, true, false, true},
      {"bidirectional", 5, 1, 16, 33, true, false, false, false, true, false},
      {"forward", 40, 2, 5, 24, true, true, false, false, false, false},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(std::string(k.direction) + " S" + std::to_string(k.S) + " B" + std::to_string(k.B) + " I" +
                 std::to_string(k.I) + " H" + std::to_string(k.H));
    const int64_t D = std::string(k.direction) == "bidirectional" ? 2 : 1, H = k.H, B = k.B;
    std::vector<Tensor> in = {F32({k.S, B, k.I}, Noise(k.S * B * k.I, 21)), F32({D, 4 * H, k.I}, Noise(D * 4 * H * k.I, 22)),
                              F32({D, 4 * H, H}, Noise(D * 4 * H * H, 23))};
    in.push_back(k.bias ? F32({D, 8 * H}, Noise(D * 8 * H, 24)) : Tensor());
    std::vector<int32_t> lens(static_cast<size_t>(B));
    for (int64_t b = 0; b < B; ++b) lens[static_cast<size_t>(b)] = static_cast<int32_t>(k.S - (b * 2) % (k.S + 1));
    in.push_back(k.lens ? I32({B}, lens) : Tensor());
    in.push_back(k.states ? F32({D, B, H}, Noise(D * B * H, 25)) : Tensor());
    in.push_back(k.states ? F32({D, B, H}, Noise(D * B * H, 26)) : Tensor());
    in.push_back(k.peepholes ? F32({D, 3 * H}, Noise(D * 3 * H, 27)) : Tensor());
    Attrs attrs = {{"hidden_size", IntAttr(H)}, {"direction", StringAttr(k.direction)}};
    if (k.clip) attrs.push_back({"clip", FloatAttr(0.3f)});
    if (k.input_forget) attrs.push_back({"input_forget", IntAttr(1)});
    Result<std::vector<Tensor>> want = InvalidArgument("not run"), got = InvalidArgument("not run");
    {
      FastLstmSwitch reference("0");
      want = RunOp("LSTM", 7, attrs, in, 3);
    }
    const int64_t before = LstmF32Runs();
    {
      FastLstmSwitch fast(nullptr);
      got = RunOp("LSTM", 7, attrs, in, 3);
    }
    EXPECT_EQ(LstmF32Runs() - before, 1) << "the fp32 path did not run";
    ASSERT_TRUE(want.ok() && got.ok()) << want.status().ToString() << got.status().ToString();
    for (size_t o = 0; o < 3; ++o) {
      ASSERT_EQ((*want)[o].shape(), (*got)[o].shape()) << "output " << o;
      const std::vector<float> a = Values<float>((*want)[o]), b = Values<float>((*got)[o]);
      int bad = 0;
      for (size_t i = 0; i < a.size() && bad < 5; ++i) {
        if (!(std::fabs(a[i] - b[i]) <= 2e-6f + 1e-5f * std::fabs(a[i]))) {
          ADD_FAILURE() << "output " << o << " element " << i << ": double " << a[i] << ", fp32 " << b[i];
          ++bad;
        }
      }
    }
  }
}

TEST(RnnTest, FastLstmLeavesBadInputsToTheReference) {
  // The fp32 path declines what it cannot run; the reference reports it (InvalidArgument).
  Tensor x = F32({2, 1, 1}, {1, 2});
  Tensor w = F32({1, 4, 1}, {1, 1, 1, 1});
  Tensor r = F32({1, 4, 1}, {0, 0, 0, 0});
  auto code = [](const Result<std::vector<Tensor>>& res) { return res.status().code(); };
  EXPECT_EQ(code(RunOp("LSTM", 7, {}, {x, w, r, Tensor(), I32({1}, {3})})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("LSTM", 7, {}, {x, w, r, Tensor(), I32({1}, {-1})})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("LSTM", 7, {}, {x, F32({1, 4, 2}, {}), r})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("LSTM", 7, {}, {x, w, r, F32({1, 3}, {})})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("LSTM", 7, {}, {x, w, r, Tensor(), Tensor(), F32({1, 2, 1}, {})})),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("LSTM", 7, {}, {x, w, r, Tensor(), Tensor(), Tensor(), Tensor(), F32({1, 2}, {})})),
            StatusCode::kInvalidArgument);
}

TEST(VectorMathTest, ExpErfSigmoidAndTanhMatchTheLibrary) {
  std::vector<float> xs;
  for (int i = -200000; i <= 200000; ++i) xs.push_back(static_cast<float>(i) * 5e-4f);  // [-100, 100]
  for (float v : {1e-30f, -1e-30f, 1e-8f, -3e-6f, 0.6249f, 0.6251f, -0.625f, 87.0f, -87.0f, 1e30f, -1e30f}) xs.push_back(v);
  const float inf = std::numeric_limits<float>::infinity();
  xs.push_back(inf);
  xs.push_back(-inf);
  std::vector<float> s = xs, t = xs;
  SigmoidInPlace(s.data(), static_cast<int64_t>(s.size()));
  TanhInPlace(t.data(), static_cast<int64_t>(t.size()));
  double worst_s = 0, worst_t = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const double x = xs[i];
    const double ws = 1.0 / (1.0 + std::exp(-x)), wt = std::tanh(x);
    const double es = std::fabs(s[i] - ws) / std::max(std::fabs(ws), 1e-30);
    const double et = std::fabs(t[i] - wt) / std::max(std::fabs(wt), 1e-30);
    // Relative error, except where the value underflows below float's normal range.
    if (std::fabs(ws) > 1e-37) worst_s = std::max(worst_s, es);
    if (std::fabs(wt) > 1e-37) worst_t = std::max(worst_t, et);
  }
  EXPECT_LT(worst_s, 1e-6) << "sigmoid";
  EXPECT_LT(worst_t, 1e-6) << "tanh";
  std::vector<float> e;
  for (int i = -87000; i <= 88000; ++i) e.push_back(static_cast<float>(i) * 1e-3f);  // [-87, 88]
  const std::vector<float> ex = e;
  ExpInPlace(e.data(), static_cast<int64_t>(e.size()));
  double worst_e = 0;
  for (size_t i = 0; i < ex.size(); ++i) {
    const double want = std::exp(static_cast<double>(ex[i]));
    worst_e = std::max(worst_e, std::fabs(e[i] - want) / want);
  }
  EXPECT_LT(worst_e, 1e-6) << "exp";
  std::vector<float> er;
  for (int i = -60000; i <= 60000; ++i) er.push_back(static_cast<float>(i) * 1e-4f);  // [-6, 6]
  for (float v : {1e-30f, -1e-20f, 0.4999f, 0.5f, -0.5001f, 30.0f, -1e30f}) er.push_back(v);
  er.push_back(inf);
  er.push_back(-inf);
  const std::vector<float> erx = er;
  ErfInPlace(er.data(), static_cast<int64_t>(er.size()));
  double worst_erf = 0;
  for (size_t i = 0; i < erx.size(); ++i) {
    const double want = std::erf(static_cast<double>(erx[i]));
    worst_erf = std::max(worst_erf, std::fabs(er[i] - want) / std::max(std::fabs(want), 1e-30));
  }
  EXPECT_LT(worst_erf, 1e-6) << "erf";
  std::vector<float> erf_nan(9, std::numeric_limits<float>::quiet_NaN());
  ErfInPlace(erf_nan.data(), 9);
  for (float v : erf_nan) EXPECT_TRUE(std::isnan(v));
  std::vector<float> edge = {-1000.0f, -88.0f, 89.0f, 1000.0f, -inf, inf, std::numeric_limits<float>::quiet_NaN(), 0.0f, 1.0f};
  ExpInPlace(edge.data(), static_cast<int64_t>(edge.size()));
  EXPECT_EQ(edge[0], 0.0f);
  EXPECT_EQ(edge[1], 0.0f);
  EXPECT_EQ(edge[2], inf);
  EXPECT_EQ(edge[3], inf);
  EXPECT_EQ(edge[4], 0.0f);
  EXPECT_EQ(edge[5], inf);
  EXPECT_TRUE(std::isnan(edge[6]));
  EXPECT_EQ(edge[7], 1.0f);
  EXPECT_NEAR(edge[8], std::exp(1.0), 3e-7);
  std::vector<float> nan(9, std::numeric_limits<float>::quiet_NaN());
  SigmoidInPlace(nan.data(), 9);
  for (float v : nan) EXPECT_TRUE(std::isnan(v));
  std::fill(nan.begin(), nan.end(), std::numeric_limits<float>::quiet_NaN());
  TanhInPlace(nan.data(), 9);
  for (float v : nan) EXPECT_TRUE(std::isnan(v));
}

TEST(RnnTest, RejectsBadInputs) {
  Tensor x = F32({2, 1, 1}, {1, 2});
  Tensor w = F32({1, 1, 1}, {1});
  Tensor r = F32({1, 1, 1}, {0});
  auto code = [](const Result<std::vector<Tensor>>& res) { return res.status().code(); };
  EXPECT_EQ(code(RunOp("RNN", 7, {}, {x, w, r, Tensor(), I32({1}, {3})})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("RNN", 7, {}, {x, w, r, Tensor(), I32({1}, {-1})})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("RNN", 7, {}, {x, F32({1, 1, 2}, {}), r})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("RNN", 7, {{"hidden_size", IntAttr(2)}}, {x, w, r})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("RNN", 7, {}, {x, w, r, F32({1, 3}, {})})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("RNN", 7, {}, {x, w, r, Tensor(), Tensor(), F32({1, 2, 1}, {})})),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("RNN", 7, {{"direction", StringAttr("sideways")}}, {x, w, r})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("RNN", 7, {{"activations", StringsAttr({"Gelu"})}}, {x, w, r})),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("LSTM", 7, {{"activations", StringsAttr({"Tanh"})}}, {x, w, r})),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(RunOp("RNN", 14, {{"layout", IntAttr(2)}}, {x, w, r})), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace edgerun
