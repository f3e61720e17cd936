// Tests for the losses' label validation, ignore_index and attribute checks.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/reference/kernel_test_util.h"

namespace edgerun {
namespace {

using namespace kernel_test;

TEST(LossTest, LabelsOutOfRangeAreRejectedUnlessIgnored) {
  Tensor scores = F32({2, 3}, {0, 0, 0, 0, 0, 0});
  auto bad = RunOp("NegativeLogLikelihoodLoss", 13, {}, {scores, I64({2}, {0, 3})});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  auto ignored = RunOp("SoftmaxCrossEntropyLoss", 13, {{"ignore_index", IntAttr(3)}}, {scores, I64({2}, {0, 3})}, 2);
  ASSERT_TRUE(ignored.ok()) << ignored.status().ToString();
  EXPECT_NEAR((*ignored)[0].data<float>()[0], std::log(3.0f), 1e-6);
  EXPECT_EQ((*ignored)[1].shape(), (Shape{2, 3}));
  EXPECT_FALSE(RunOp("NegativeLogLikelihoodLoss", 13, {}, {scores, I64({3}, {0, 0, 0})}).ok());
  EXPECT_FALSE(RunOp("NegativeLogLikelihoodLoss", 13, {{"reduction", StringAttr("avg")}}, {scores, I64({2}, {})}).ok());
}

}  // namespace
}  // namespace edgerun
