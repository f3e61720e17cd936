// Tests for RNN/GRU/LSTM behaviour the ONNX node tests miss: layouts, directions, sequence
// lengths, activation parameters, GRU linear_before_reset, LSTM input_forget, and validation.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/reference/kernel_test_util.h"

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

TEST(RnnTest, LayoutOneMatchesLayoutZeroForEveryKind) {
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
