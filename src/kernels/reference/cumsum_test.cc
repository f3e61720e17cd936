// Tests for CumSum on integers with exclusive/reverse, and axis input checks.
#include <gtest/gtest.h>

#include "kernels/reference/kernel_test_util.h"

namespace edgerun {
namespace {

using namespace kernel_test;

TEST(CumSumTest, ExclusiveReverseInt32AndAxisChecks) {
  Tensor x = I32({2, 3}, {1, 2, 3, 4, 5, 6});
  auto out = RunOp("CumSum", 14, {{"exclusive", IntAttr(1)}, {"reverse", IntAttr(1)}}, {x, I32({}, {1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(Values<int32_t>((*out)[0]), (std::vector<int32_t>{5, 3, 0, 11, 6, 0}));
  EXPECT_FALSE(RunOp("CumSum", 14, {}, {x, I64({}, {2})}).ok());
  EXPECT_FALSE(RunOp("CumSum", 14, {}, {x, I64({2}, {0, 1})}).ok());
}

}  // namespace
}  // namespace edgerun
