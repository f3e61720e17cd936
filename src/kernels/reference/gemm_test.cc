// Tests for the shared GEMM routine and the Gemm kernel.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "kernels/reference/gemm_ref.h"
#include "kernels/reference/kernel_test_util.h"

namespace edgerun {
namespace {

using namespace kernel_test;

TEST(GemmF32Test, MatchesNaiveAcrossBlockTails) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1, 1);
  struct Case { int64_t m, n, k; };
  for (const Case c : {Case{1, 1, 1}, Case{3, 5, 7}, Case{4, 600, 130}, Case{2, 513, 257}, Case{5, 3, 0}}) {
    for (int ta = 0; ta < 2; ++ta) {
      for (int tb = 0; tb < 2; ++tb) {
        for (float beta : {0.0f, 1.0f, 0.5f}) {
          std::vector<float> a(c.m * c.k), b(c.k * c.n), y(c.m * c.n), ref(c.m * c.n);
          for (auto& v : a) v = dist(rng);
          for (auto& v : b) v = dist(rng);
          for (auto& v : y) v = dist(rng);
          for (int64_t i = 0; i < c.m; ++i) {
            for (int64_t j = 0; j < c.n; ++j) {
              double s = 0;
              for (int64_t p = 0; p < c.k; ++p) {
                s += double(ta ? a[p * c.m + i] : a[i * c.k + p]) * (tb ? b[j * c.k + p] : b[p * c.n + j]);
              }
              ref[i * c.n + j] = float(1.5 * s + beta * y[i * c.n + j]);
            }
          }
          GemmF32(ta, tb, c.m, c.n, c.k, 1.5f, a.data(), ta ? c.m : c.k, b.data(), tb ? c.k : c.n, beta, y.data(), c.n);
          for (int64_t i = 0; i < c.m * c.n; ++i) {
            ASSERT_NEAR(y[i], ref[i], 1e-4) << "m=" << c.m << " n=" << c.n << " k=" << c.k << " ta=" << ta << " tb=" << tb;
          }
        }
      }
    }
  }
}

TEST(GemmF32Test, BetaZeroIgnoresNanInC) {
  float a = 2, b = 3, c = std::nanf("");
  GemmF32(false, false, 1, 1, 1, 1.0f, &a, 1, &b, 1, 0.0f, &c, 1);
  EXPECT_EQ(c, 6.0f);
}

TEST(GemmKernelTest, Int32WithRowBiasAndTransposes) {
  // op(A) = A^T (2x3), op(B) = B^T (3x2), C broadcast over rows.
  Tensor a = I32({3, 2}, {1, 4, 2, 5, 3, 6});
  Tensor b = I32({2, 3}, {1, 0, 1, 0, 1, 1});
  Tensor c = I32({2}, {10, 20});
  auto out = RunOp("Gemm", 13, {{"transA", IntAttr(1)}, {"transB", IntAttr(1)}}, {a, b, c});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{14, 25, 20, 31}));
}

TEST(GemmKernelTest, AlphaBetaAndOptionalC) {
  Tensor a = F32({1, 2}, {1, 2});
  Tensor b = F32({2, 1}, {3, 4});
  auto with_c = RunOp("Gemm", 13, {{"alpha", FloatAttr(2)}, {"beta", FloatAttr(0.5f)}}, {a, b, F32({1, 1}, {4})});
  ASSERT_TRUE(with_c.ok());
  EXPECT_FLOAT_EQ((*with_c)[0].data<float>()[0], 24.0f);
  auto no_c = RunOp("Gemm", 11, {}, {a, b});
  ASSERT_TRUE(no_c.ok());
  EXPECT_FLOAT_EQ((*no_c)[0].data<float>()[0], 11.0f);
}

TEST(GemmKernelTest, RejectsBadShapes) {
  auto bad_k = RunOp("Gemm", 13, {}, {F32({2, 3}, {}), F32({2, 3}, {})});
  ASSERT_FALSE(bad_k.ok());
  EXPECT_EQ(bad_k.status().code(), StatusCode::kInvalidArgument);
  auto bad_c = RunOp("Gemm", 13, {}, {F32({2, 3}, {}), F32({3, 4}, {}), F32({3, 4}, {})});
  ASSERT_FALSE(bad_c.ok());
  EXPECT_NE(bad_c.status().message().find("cannot be broadcast"), std::string::npos);
  auto rank1 = RunOp("Gemm", 13, {}, {F32({3}, {}), F32({3, 4}, {})});
  EXPECT_FALSE(rank1.ok());
}

}  // namespace
}  // namespace edgerun
