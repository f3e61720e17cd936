// Tests for Reduce* behaviour the ONNX 1.12 conformance data does not reach: axes as an input
// (opset 18), empty-set reductions, noop_with_empty_axes, integer and bool inputs, bad axes.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "kernels/reference/kernel_test_util.h"

namespace edgerun {
namespace {

using namespace kernel_test;

TEST(ReduceTest, AxesInputFromOpset18) {
  Tensor x = F32({2, 3}, {1, 5, 2, 7, 0, 3});
  auto out = RunOp("ReduceMax", 18, {{"keepdims", IntAttr(0)}}, {x, I64({1}, {-1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{2}));
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{5, 7}));
  // Omitted axes input reduces everything.
  auto all = RunOp("ReduceMax", 18, {}, {x});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)[0].shape(), (Shape{1, 1}));
  EXPECT_EQ((*all)[0].data<float>()[0], 7.0f);
}

TEST(ReduceTest, EmptySetGivesIdentity) {
  Tensor x = F32({2, 0, 3}, {});
  const Tensor axes = I64({1}, {1});
  auto run = [&](const char* op) {
    auto out = RunOp(op, 18, {{"keepdims", IntAttr(1)}}, {x, axes});
    EXPECT_TRUE(out.ok()) << op;
    EXPECT_EQ((*out)[0].shape(), (Shape{2, 1, 3})) << op;
    return (*out)[0].data<float>()[0];
  };
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(run("ReduceSum"), 0.0f);
  EXPECT_EQ(run("ReduceProd"), 1.0f);
  EXPECT_EQ(run("ReduceMax"), -inf);
  EXPECT_EQ(run("ReduceMin"), inf);
  EXPECT_EQ(run("ReduceL1"), 0.0f);
  EXPECT_EQ(run("ReduceL2"), 0.0f);
  EXPECT_EQ(run("ReduceSumSquare"), 0.0f);
  EXPECT_EQ(run("ReduceLogSum"), -inf);
  EXPECT_EQ(run("ReduceLogSumExp"), -inf);
  EXPECT_TRUE(std::isnan(run("ReduceMean")));
  auto imin = RunOp("ReduceMin", 18, {}, {I32({0, 2}, {}), I64({1}, {0})});
  ASSERT_TRUE(imin.ok());
  EXPECT_EQ(Values<int32_t>((*imin)[0]), (std::vector<int32_t>{std::numeric_limits<int32_t>::max(),
                                                                std::numeric_limits<int32_t>::max()}));
}

TEST(ReduceTest, NoopWithEmptyAxes) {
  Tensor x = F32({3}, {-1, 2, -3});
  auto sq = RunOp("ReduceSumSquare", 18, {{"noop_with_empty_axes", IntAttr(1)}}, {x, I64({0}, {})});
  ASSERT_TRUE(sq.ok());
  EXPECT_EQ((*sq)[0].shape(), (Shape{3}));
  EXPECT_EQ(Values<float>((*sq)[0]), (std::vector<float>{1, 4, 9}));
  auto sum = RunOp("ReduceSum", 13, {{"noop_with_empty_axes", IntAttr(1)}}, {x});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(Values<float>((*sum)[0]), (std::vector<float>{-1, 2, -3}));
}

TEST(ReduceTest, AttributeAxesBeforeOpset18AndLogSumExpStability) {
  Tensor x = F32({2, 2}, {1000, 1000, -1000, -1000});
  auto out = RunOp("ReduceLogSumExp", 13, {{"axes", IntsAttr({1})}, {"keepdims", IntAttr(0)}}, {x});
  ASSERT_TRUE(out.ok());
  EXPECT_NEAR((*out)[0].data<float>()[0], 1000.0f + std::log(2.0f), 1e-3);
  EXPECT_NEAR((*out)[0].data<float>()[1], -1000.0f + std::log(2.0f), 1e-3);
}

TEST(ReduceTest, IntegerMeanAndBoolMax) {
  auto mean = RunOp("ReduceMean", 13, {{"keepdims", IntAttr(0)}}, {I32({4}, {1, 2, 3, 5})});
  ASSERT_TRUE(mean.ok());
  EXPECT_EQ((*mean)[0].data<int32_t>()[0], 2);
  Tensor b = Make<bool>(DataType::kBool, {2, 2}, {false, true, false, false});
  auto any = RunOp("ReduceMax", 20, {{"keepdims", IntAttr(0)}}, {b, I64({1}, {1})});
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(Values<bool>((*any)[0]), (std::vector<bool>{true, false}));
}

TEST(ReduceTest, RejectsOutOfRangeAxis) {
  auto out = RunOp("ReduceSum", 13, {}, {F32({2, 2}, {}), I64({1}, {2})});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(RunOp("ReduceSum", 13, {}, {F32({2, 2}, {}), F32({1}, {0})}).ok());
}

}  // namespace
}  // namespace edgerun
