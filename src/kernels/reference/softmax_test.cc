// Tests for the opset-dependent axis semantics of Softmax, LogSoftmax and Hardmax, and for the
// float last-axis fast path against the double computation.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/reference/kernel_test_util.h"
#include "kernels/reference/softmax.h"

namespace edgerun {
namespace {

using namespace kernel_test;

TEST(SoftmaxTest, Opset11CoercesTo2DButOpset13UsesOneAxis) {
  Tensor x = F32({1, 2, 2}, {0, 0, 0, 0});
  auto old = RunOp("Softmax", 11, {{"axis", IntAttr(1)}}, {x});
  auto now = RunOp("Softmax", 13, {{"axis", IntAttr(1)}}, {x});
  ASSERT_TRUE(old.ok() && now.ok());
  EXPECT_FLOAT_EQ((*old)[0].data<float>()[0], 0.25f);  // over the flattened 2x2
  EXPECT_FLOAT_EQ((*now)[0].data<float>()[0], 0.5f);   // over axis 1 only
}

TEST(SoftmaxTest, LogSoftmaxDefaultAxisAndHardmaxTies) {
  auto ls = RunOp("LogSoftmax", 13, {}, {F32({2}, {1000, 1000})});
  ASSERT_TRUE(ls.ok());
  EXPECT_NEAR((*ls)[0].data<float>()[0], -std::log(2.0f), 1e-6);
  auto hm = RunOp("Hardmax", 13, {}, {F32({2, 3}, {1, 3, 3, 2, 0, 2})});
  ASSERT_TRUE(hm.ok());
  EXPECT_EQ(Values<float>((*hm)[0]), (std::vector<float>{0, 1, 0, 1, 0, 0}));
}

TEST(SoftmaxTest, RejectsBadAxisAndIntegerInput) {
  EXPECT_FALSE(RunOp("Softmax", 13, {{"axis", IntAttr(2)}}, {F32({2, 2}, {})}).ok());
  auto ints = RunOp("Softmax", 13, {}, {I32({2}, {1, 2})});
  ASSERT_FALSE(ints.ok());
  EXPECT_EQ(ints.status().code(), StatusCode::kUnsupported);
}

TEST(SoftmaxTest, FloatLastAxisPathMatchesDouble) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-30.0f, 30.0f);
  for (SoftmaxKind kind : {SoftmaxKind::kSoftmax, SoftmaxKind::kLogSoftmax}) {
    for (int64_t n : {1, 7, 8, 9, 100, 300, 1000}) {
      const int64_t rows = 6;
      std::vector<float> x(static_cast<size_t>(rows * n));
      for (float& v : x) v = dist(rng);
      // Row 1: masked positions (-inf), as attention masks. Row 2: all -inf. Row 3: +inf present.
      // Row 4: a NaN. Row 5: a huge spread (exp underflows for most).
      for (int64_t a = 0; a < n; a += 2) x[static_cast<size_t>(n + a)] = -inf;
      for (int64_t a = 0; a < n; ++a) x[static_cast<size_t>(2 * n + a)] = -inf;
      x[static_cast<size_t>(3 * n + n / 2)] = inf;
      x[static_cast<size_t>(4 * n)] = nan;
      for (int64_t a = 0; a < n; ++a) x[static_cast<size_t>(5 * n + a)] = static_cast<float>(a) * 3.0f;
      const AxisSplit s{rows, n, 1};
      std::vector<float> got(x.size());
      SoftmaxLastAxisF32(kind, s, x.data(), got.data());
      std::vector<double> xd(x.begin(), x.end()), want(x.size());
      SoftmaxAlongAxis<double>(kind, s, xd.data(), want.data());
      int bad = 0;
      for (size_t i = 0; i < x.size() && bad < 5; ++i) {
        const double w = want[i], g = got[i];
        const bool same = (std::isnan(w) && std::isnan(g)) || w == g || std::fabs(w - g) <= 1e-6 + 1e-5 * std::fabs(w);
        if (!same) {
          ADD_FAILURE() << (kind == SoftmaxKind::kSoftmax ? "Softmax" : "LogSoftmax") << " n " << n << " row "
                        << i / static_cast<size_t>(n) << " element " << i % static_cast<size_t>(n) << ": double " << w
                        << ", float " << g;
          ++bad;
        }
      }
    }
  }
  // In place (y aliases x), through the kernel.
  auto out = RunOp("Softmax", 13, {}, {F32({2, 3}, {1, 2, 3, -inf, 0, -inf})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const std::vector<float> y = Values<float>((*out)[0]);
  EXPECT_NEAR(y[2], std::exp(1.0) / (1 + std::exp(-1.0) + std::exp(1.0)), 1e-6);
  EXPECT_EQ(y[3], 0.0f);
  EXPECT_EQ(y[4], 1.0f);
}

}  // namespace
}  // namespace edgerun
