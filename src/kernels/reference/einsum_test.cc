// Tests for Einsum equation handling: implicit output, diagonals, ellipsis broadcasting, sums,
// and equation errors.
#include <gtest/gtest.h>

#include "kernels/reference/kernel_test_util.h"

namespace edgerun {
namespace {

using namespace kernel_test;

Result<std::vector<Tensor>> Einsum(const std::string& eq, const std::vector<Tensor>& in) {
  return RunOp("Einsum", 12, {{"equation", StringAttr(eq)}}, in);
}

TEST(EinsumTest, ImplicitMatMul) {
  auto out = Einsum("ij,jk", {F32({2, 2}, {1, 2, 3, 4}), F32({2, 1}, {1, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 1}));
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{3, 7}));
}

TEST(EinsumTest, ImplicitOutputIsSortedAndTraceIsScalar) {
  Tensor x = F32({2, 3}, {1, 2, 3, 4, 5, 6});
  auto t = Einsum("ba", {x});  // implicit output "ab": a transpose
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)[0].shape(), (Shape{3, 2}));
  EXPECT_EQ(Values<float>((*t)[0]), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  auto trace = Einsum("ii", {F32({2, 2}, {1, 2, 3, 4})});
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ((*trace)[0].shape(), Shape{});
  EXPECT_FLOAT_EQ((*trace)[0].data<float>()[0], 5.0f);
}

TEST(EinsumTest, DiagonalAndSum) {
  auto diag = Einsum("ii->i", {F32({2, 2}, {1, 2, 3, 4})});
  ASSERT_TRUE(diag.ok());
  EXPECT_EQ(Values<float>((*diag)[0]), (std::vector<float>{1, 4}));
  auto all = Einsum("ij->", {F32({2, 2}, {1, 2, 3, 4})});
  ASSERT_TRUE(all.ok());
  EXPECT_FLOAT_EQ((*all)[0].data<float>()[0], 10.0f);
}

TEST(EinsumTest, EllipsisBroadcastsBatchDims) {
  // Batch dims [2] and [1] broadcast to [2].
  Tensor a = F32({2, 1, 2}, {1, 2, 3, 4});
  Tensor b = F32({1, 2, 1}, {10, 1});
  auto out = Einsum("...ij,...jk->...ik", {a, b});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 1, 1}));
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{12, 34}));
}

TEST(EinsumTest, IntegerInputsAndUppercaseLabels) {
  auto out = Einsum("Ab,b->A", {I64({2, 2}, {1, 2, 3, 4}), I64({2}, {5, 6})});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(Values<int64_t>((*out)[0]), (std::vector<int64_t>{17, 39}));
}

TEST(EinsumTest, ThreeOperandsAndTransposedBatchMatMul) {
  Tensor a = F32({2, 2}, {1, 2, 3, 4});
  Tensor i2 = F32({2, 2}, {1, 0, 0, 1});
  auto chain = Einsum("ij,jk,kl->il", {a, i2, a});
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(Values<float>((*chain)[0]), (std::vector<float>{7, 10, 15, 22}));
  // "bhid,bhjd->bhij" (attention scores) against a direct loop.
  const int64_t b = 2, h = 3, n = 4, m = 5, d = 6;
  std::vector<float> q(b * h * n * d), k(b * h * m * d);
  for (size_t i = 0; i < q.size(); ++i) q[i] = float(i % 7) - 3;
  for (size_t i = 0; i < k.size(); ++i) k[i] = float(i % 5) - 2;
  auto out = Einsum("bhid,bhjd->bhij", {F32({b, h, n, d}, q), F32({b, h, m, d}, k)});
  ASSERT_TRUE(out.ok());
  ASSERT_EQ((*out)[0].shape(), (Shape{b, h, n, m}));
  const float* y = (*out)[0].data<float>();
  for (int64_t bh = 0; bh < b * h; ++bh) {
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < m; ++j) {
        float s = 0;
        for (int64_t e = 0; e < d; ++e) s += q[(bh * n + i) * d + e] * k[(bh * m + j) * d + e];
        EXPECT_EQ(y[(bh * n + i) * m + j], s);
      }
    }
  }
}

TEST(EinsumTest, Errors) {
  EXPECT_FALSE(Einsum("ij,jk->ik", {F32({2, 2}, {})}).ok());            // too few operands
  EXPECT_FALSE(Einsum("ij->i", {F32({2, 2, 2}, {})}).ok());             // rank mismatch
  EXPECT_FALSE(Einsum("ij,jk->ik", {F32({2, 3}, {}), F32({2, 3}, {})}).ok());  // size mismatch
  EXPECT_FALSE(RunOp("Einsum", 12, {{"equation", StringAttr("i$->i")}}, {F32({2}, {})}).ok());
  EXPECT_FALSE(RunOp("Einsum", 12, {{"equation", StringAttr("i->j")}}, {F32({2}, {})}).ok());
}

}  // namespace
}  // namespace edgerun
