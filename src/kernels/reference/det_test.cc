// Tests for Det on singular and batched input and its shape check.
#include <gtest/gtest.h>

#include "kernels/reference/kernel_test_util.h"

namespace edgerun {
namespace {

using namespace kernel_test;

TEST(DetTest, SingularAndBatched) {
  auto out = RunOp("Det", 11, {}, {F32({2, 2, 2}, {1, 2, 2, 4, 0, 1, 1, 0})});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0].shape(), (Shape{2}));
  EXPECT_EQ(Values<float>((*out)[0]), (std::vector<float>{0, -1}));
  EXPECT_FALSE(RunOp("Det", 11, {}, {F32({2, 3}, {})}).ok());
}

}  // namespace
}  // namespace edgerun
