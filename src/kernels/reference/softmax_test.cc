// Tests for the opset-dependent axis semantics of Softmax, LogSoftmax and Hardmax.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/reference/kernel_test_util.h"

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

}  // namespace
}  // namespace edgerun
