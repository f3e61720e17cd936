// Tests for the MatMul kernel beyond the conformance data: 1-D operands, batch broadcasting,
// integer and float16 inputs, shape errors.
#include <gtest/gtest.h>

#include "kernels/reference/kernel_test_util.h"

namespace edgerun {
namespace {

using namespace kernel_test;

TEST(MatMulTest, VectorTimesVectorIsScalar) {
  auto out = RunOp("MatMul", 13, {}, {F32({3}, {1, 2, 3}), F32({3}, {4, 5, 6})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape{});
  EXPECT_FLOAT_EQ((*out)[0].data<float>()[0], 32.0f);
}

TEST(MatMulTest, VectorTimesBatchedMatrix) {
  // [2] x [2, 2, 3] -> [2, 3]
  auto out = RunOp("MatMul", 13, {}, {F32({2}, {1, 1}), F32({2, 2, 3}, {1, 2, 3, 4, 5, 6, 0, 0, 1, 1, 0, 0})});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{5, 7, 9, 1, 0, 1}));
}

TEST(MatMulTest, BroadcastsBatchDimsInt64) {
  // [2, 1, 1, 2] x [3, 2, 1] -> [2, 3, 1, 1]
  Tensor a = I64({2, 1, 1, 2}, {1, 2, 3, 4});
  Tensor b = I64({3, 2, 1}, {1, 1, 1, 0, 0, 1});
  auto out = RunOp("MatMul", 13, {}, {a, b});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 3, 1, 1}));
  EXPECT_EQ(Values<int64_t>((*out)[0]), (std::vector<int64_t>{3, 1, 2, 7, 3, 4}));
}

TEST(MatMulTest, Float16ComputesThroughFloat) {
  Tensor a = Make<Half>(DataType::kFloat16, {1, 2}, {Half(0.5f), Half(2.0f)});
  Tensor b = Make<Half>(DataType::kFloat16, {2, 1}, {Half(4.0f), Half(1.5f)});
  auto out = RunOp("MatMul", 13, {}, {a, b});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(static_cast<float>((*out)[0].data<Half>()[0]), 5.0f);
}

TEST(MatMulTest, RejectsMismatchedInnerDims) {
  auto out = RunOp("MatMul", 13, {}, {F32({2, 3}, {}), F32({2, 3}, {})});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  auto batch = RunOp("MatMul", 13, {}, {F32({2, 1, 3}, {}), F32({3, 3, 1}, {})});
  EXPECT_FALSE(batch.ok());
}

TEST(MatMulTest, MissingInputIsAnError) {
  auto out = RunOp("MatMul", 13, {}, {F32({2, 2}, {}), Tensor()});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("missing"), std::string::npos);
}

TEST(MatMulTest, ZeroInnerDimGivesZeros) {
  auto out = RunOp("MatMul", 13, {}, {F32({2, 0}, {}), F32({0, 3}, {})});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(Values<float>((*out)[0]), std::vector<float>(6, 0.0f));
}

}  // namespace
}  // namespace edgerun
