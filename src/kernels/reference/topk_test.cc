// Tests for TopK ordering (ties keep the lower index first), the k attribute before opset 10,
// and k validation; plus ArgMax/ArgMin tie selection.
#include <gtest/gtest.h>

#include "kernels/reference/kernel_test_util.h"

namespace edgerun {
namespace {

using namespace kernel_test;

TEST(TopKTest, TiesKeepLowerIndexFirst) {
  Tensor x = F32({5}, {1, 3, 2, 3, 1});
  auto big = RunOp("TopK", 11, {}, {x, I64({1}, {3})}, 2);
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(Values<float>((*big)[0]), (std::vector<float>{3, 3, 2}));
  EXPECT_EQ(Values<int64_t>((*big)[1]), (std::vector<int64_t>{1, 3, 2}));
  auto small = RunOp("TopK", 11, {{"largest", IntAttr(0)}}, {x, I64({1}, {2})}, 2);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(Values<int64_t>((*small)[1]), (std::vector<int64_t>{0, 4}));
}

TEST(TopKTest, AttributeKBeforeOpset10AndAxis0) {
  Tensor x = I32({3, 2}, {1, 6, 5, 2, 3, 4});
  auto out = RunOp("TopK", 1, {{"k", IntAttr(1)}, {"axis", IntAttr(0)}}, {x}, 2);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 2}));
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{5, 6}));
  EXPECT_EQ(Values<int64_t>((*out)[1]), (std::vector<int64_t>{1, 0}));
}

TEST(TopKTest, RejectsKOutOfRange) {
  auto out = RunOp("TopK", 11, {}, {F32({3}, {}), I64({1}, {4})}, 2);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(RunOp("TopK", 11, {}, {F32({3}, {}), I64({1}, {-1})}, 2).ok());
  EXPECT_FALSE(RunOp("TopK", 11, {}, {F32({3}, {}), I64({2}, {1, 1})}, 2).ok());
}

TEST(ArgMinMaxTest, SelectLastIndex) {
  Tensor x = F32({4}, {2, 5, 5, 1});
  auto first = RunOp("ArgMax", 13, {{"keepdims", IntAttr(0)}}, {x});
  auto last = RunOp("ArgMax", 13, {{"select_last_index", IntAttr(1)}}, {x});
  ASSERT_TRUE(first.ok() && last.ok());
  EXPECT_EQ((*first)[0].shape(), Shape{});
  EXPECT_EQ((*first)[0].data<int64_t>()[0], 1);
  EXPECT_EQ((*last)[0].shape(), (Shape{1}));
  EXPECT_EQ((*last)[0].data<int64_t>()[0], 2);
  auto min = RunOp("ArgMin", 13, {{"axis", IntAttr(-1)}}, {x});
  ASSERT_TRUE(min.ok());
  EXPECT_EQ((*min)[0].data<int64_t>()[0], 3);
  EXPECT_FALSE(RunOp("ArgMin", 13, {}, {F32({0}, {})}).ok());
}

}  // namespace
}  // namespace edgerun
