// Tests for the normalization kernels: input validation and training-mode statistics.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

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

// LayerNormalization's float path (only Y wanted) against the double computation (taken when
// Mean and InvStdDev are wanted too), over axes, row lengths and with and without B; a Scale that
// only broadcasts to the normalized shape takes the double computation.
TEST(NormTest, LayerNormFloatPathMatchesDouble) {
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> dist(-3.0f, 5.0f);
  auto random = [&](const Shape& s) {
    std::vector<float> v(static_cast<size_t>(ShapeSize(s)));
    for (float& f : v) f = dist(rng);
    return F32(s, v);
  };
  struct Case {
    Shape x;
    int64_t axis;
    Shape coef;
    bool bias;
  };
  const Case cases[] = {{{1, 100, 32}, -1, {32}, true}, {{2, 3, 7}, 1, {3, 7}, false}, {{4, 9}, -1, {9}, true},
                        {{2, 5, 1, 33}, 2, {1, 33}, true}, {{3, 4}, 0, {3, 4}, true}, {{2, 5, 33}, 1, {33}, true}};
  for (const Case& k : cases) {
    SCOPED_TRACE(ShapeToString(k.x) + " axis " + std::to_string(k.axis));
    std::vector<Tensor> in = {random(k.x), random(k.coef)};
    if (k.bias) in.push_back(random(k.coef));
    Attrs attrs = {{"axis", IntAttr(k.axis)}, {"epsilon", FloatAttr(1e-5f)}};
    auto fast = RunOp("LayerNormalization", 17, attrs, in, 1);
    auto full = RunOp("LayerNormalization", 17, attrs, in, 3);
    ASSERT_TRUE(fast.ok() && full.ok()) << fast.status().ToString() << full.status().ToString();
    const std::vector<float> a = Values<float>((*full)[0]), b = Values<float>((*fast)[0]);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], 1e-5f + 1e-5f * std::fabs(a[i])) << "element " << i;
  }
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
