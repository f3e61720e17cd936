// Tests for the normalization kernels: input validation and training-mode statistics.
#include <gtest/gtest.h>

#include "kernels/reference/kernel_test_util.h"

namespace edgerun {
namespace {

using namespace kernel_test;

TEST(NormTest, BatchNormTrainingModeUpdatesRunningStats) {
  // One channel, values [1, 3]: batch mean 2, var 1; default momentum 0.9, running mean 0, var 1.
  Tensor one = F32({1}, {1}), zero = F32({1}, {0});
  auto y = RunOp("BatchNormalization", 15, {{"training_mode", IntAttr(1)}},
                 {F32({2, 1}, {1, 3}), one, zero, zero, one}, 3);
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_NEAR((*y)[0].data<float>()[0], -1.0f, 1e-4);
  EXPECT_NEAR((*y)[1].data<float>()[0], 0.2f, 1e-6);        // 0 * 0.9 + 2 * 0.1
  EXPECT_NEAR((*y)[2].data<float>()[0], 1.0f, 1e-6);        // 1 * 0.9 + 1 * 0.1
}

TEST(NormTest, RejectsBadShapesAndAttributes) {
  Tensor x = F32({1, 4, 2}, {});
  EXPECT_EQ(RunOp("BatchNormalization", 15, {}, {x, F32({3}, {}), F32({4}, {}), F32({4}, {}), F32({4}, {})}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("GroupNormalization", 18, {{"num_groups", IntAttr(3)}}, {x, F32({3}, {}), F32({3}, {})}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("GroupNormalization", 21, {{"num_groups", IntAttr(2)}}, {x, F32({2}, {}), F32({2}, {})}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("LayerNormalization", 17, {{"axis", IntAttr(3)}}, {x, F32({2}, {})}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("LayerNormalization", 17, {}, {x, F32({3}, {})}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("LpNormalization", 11, {{"p", IntAttr(3)}}, {x}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("MeanVarianceNormalization", 13, {}, {x}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunOp("InstanceNormalization", 11, {}, {x, F32({4}, {}), F32({2}, {})}).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace edgerun
