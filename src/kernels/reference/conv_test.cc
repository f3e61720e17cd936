// Tests for Conv, ConvTranspose and Col2Im: input validation and small hand-checked cases.
#include <gtest/gtest.h>

#include "kernels/reference/kernel_test_util.h"

namespace edgerun {
namespace {

using namespace kernel_test;

TEST(ConvTest, OneByOneConvWithBias) {
  // X: 1x2x1x2, W: 1x2x1x1 = [2, 3], B = [1] -> y = 2*x0 + 3*x1 + 1.
  auto y = RunOp("Conv", 13, {}, {F32({1, 2, 1, 2}, {1, 2, 10, 20}), F32({1, 2, 1, 1}, {2, 3}), F32({1}, {1})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ((*y)[0].shape(), (Shape{1, 1, 1, 2}));
  EXPECT_EQ(Values<float>((*y)[0]), (std::vector<float>{33, 65}));
}

TEST(ConvTest, SameUpperPadsTheEnd) {
  // 1-D, kernel [1, 1], stride 1, SAME_UPPER: the extra pad goes at the end.
  auto y = RunOp("Conv", 13, {{"auto_pad", StringAttr("SAME_UPPER")}}, {F32({1, 1, 3}, {1, 2, 3}), F32({1, 1, 2}, {1, 1})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(Values<float>((*y)[0]), (std::vector<float>{3, 5, 3}));
}

TEST(ConvTest, RejectsBadShapesAndAttributes) {
  Tensor x = F32({1, 3, 4, 4}, {});
  EXPECT_EQ(RunOp("Conv", 13, {}, {x, F32({2, 2, 3, 3}, {})}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("Conv", 13, {}, {x, F32({2, 3, 5, 5}, {})}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("Conv", 13, {}, {x, F32({2, 3, 3, 3}, {}), F32({3}, {})}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("Conv", 13, {}, {x, F32({2, 3, 3}, {})}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("Conv", 13, {{"auto_pad", StringAttr("SAME")}}, {x, F32({2, 3, 3, 3}, {})}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("Conv", 13, {{"strides", IntsAttr({0, 1})}}, {x, F32({2, 3, 3, 3}, {})}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("Conv", 13, {{"group", IntAttr(2)}}, {x, F32({2, 3, 3, 3}, {})}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("Conv", 13, {{"pads", IntsAttr({1, 1})}}, {x, F32({2, 3, 3, 3}, {})}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ConvTransposeTest, OutputShapeLargerThanNaturalPadsAtTheEnd) {
  // X 1x1x1x1 = [1], W all ones 2x2, output_shape [3, 3]: the extra row/column is at the end.
  auto y = RunOp("ConvTranspose", 11, {{"output_shape", IntsAttr({3, 3})}},
                 {F32({1, 1, 1, 1}, {1}), F32({1, 1, 2, 2}, {1, 1, 1, 1})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ((*y)[0].shape(), (Shape{1, 1, 3, 3}));
  EXPECT_EQ(Values<float>((*y)[0]), (std::vector<float>{1, 1, 0, 1, 1, 0, 0, 0, 0}));
}

TEST(ConvTransposeTest, RejectsMismatchedWeights) {
  EXPECT_EQ(RunOp("ConvTranspose", 11, {}, {F32({1, 2, 3, 3}, {}), F32({3, 1, 2, 2}, {})}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("ConvTranspose", 11, {{"output_padding", IntsAttr({1})}}, {F32({1, 2, 3, 3}, {}), F32({2, 1, 2, 2}, {})})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(Col2ImTest, SumsOverlapsAndRejectsWrongBlockCount) {
  // image [3], block [2]: two positions; columns [[1, 2], [3, 4]] -> [1, 2 + 3, 4].
  auto y = RunOp("Col2Im", 18, {}, {F32({1, 2, 2}, {1, 2, 3, 4}), I64({1}, {3}), I64({1}, {2})});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(Values<float>((*y)[0]), (std::vector<float>{1, 5, 4}));
  EXPECT_EQ(RunOp("Col2Im", 18, {}, {F32({1, 2, 3}, {}), I64({1}, {3}), I64({1}, {2})}).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace edgerun
