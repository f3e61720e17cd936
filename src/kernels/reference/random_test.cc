// Tests for the random-family kernels: seeded generators reproduce numpy's legacy RandomState
// (the convention ONNX's reference outputs follow), unseeded ones stay in range, and Bernoulli,
// Multinomial and Dropout handle their edge cases and bad inputs.
#include <gtest/gtest.h>

#include "kernels/reference/kernel_test_util.h"

namespace edgerun {
namespace {

using namespace kernel_test;

TEST(RandomTest, SeededUniformMatchesNumpy) {
  // numpy.random.seed(0); numpy.random.uniform(0, 1, 3)
  auto out = RunOp("RandomUniform", 1, {{"shape", IntsAttr({3})}, {"seed", FloatAttr(0.f)}}, {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto v = Values<float>((*out)[0]);
  EXPECT_FLOAT_EQ(v[0], 0.5488135f);
  EXPECT_FLOAT_EQ(v[1], 0.71518937f);
  EXPECT_FLOAT_EQ(v[2], 0.60276338f);
}

TEST(RandomTest, SeededNormalMatchesNumpy) {
  // numpy.random.seed(0); numpy.random.normal(size=3)
  Tensor like = Tensor::Create(DataType::kDouble, {3}).value();
  auto out = RunOp("RandomNormalLike", 1, {{"seed", FloatAttr(0.f)}}, {like});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].dtype(), DataType::kDouble);
  auto v = Values<double>((*out)[0]);
  EXPECT_NEAR(v[0], 1.76405235, 1e-8);
  EXPECT_NEAR(v[1], 0.40015721, 1e-8);
  EXPECT_NEAR(v[2], 0.97873798, 1e-8);
}

TEST(RandomTest, UnseededUniformStaysInRange) {
  auto out = RunOp("RandomUniform", 1, {{"shape", IntsAttr({2, 50})}, {"low", FloatAttr(-2.f)}, {"high", FloatAttr(3.f)}},
                   {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  for (float f : Values<float>((*out)[0])) {
    EXPECT_GE(f, -2.f);
    EXPECT_LT(f, 3.f);
  }
  auto bad = RunOp("RandomNormal", 1, {{"shape", IntsAttr({2})}, {"dtype", IntAttr(6)}}, {});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(BernoulliTest, CertainProbabilitiesAndBoolOutput) {
  auto out = RunOp("Bernoulli", 15, {{"dtype", IntAttr(static_cast<int64_t>(DataType::kBool))}},
                   {F32({4}, {0, 1, 1, 0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].dtype(), DataType::kBool);
  EXPECT_EQ(Values<bool>((*out)[0]), (std::vector<bool>{false, true, true, false}));
  auto bad = RunOp("Bernoulli", 15, {}, {F32({1}, {1.5f})});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(MultinomialTest, DominantClassAndShape) {
  auto out = RunOp("Multinomial", 7,
                   {{"sample_size", IntAttr(5)}, {"dtype", IntAttr(7)}, {"seed", FloatAttr(1.f)}},
                   {F32({2, 3}, {-100, -100, 0, 0, -100, -100})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 5}));
  EXPECT_EQ(Values<int64_t>((*out)[0]), (std::vector<int64_t>{2, 2, 2, 2, 2, 0, 0, 0, 0, 0}));
  auto bad = RunOp("Multinomial", 7, {}, {F32({3}, {})});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(DropoutTest, TrainingEdgeCases) {
  Tensor x = F32({3}, {1, -2, 3});
  Tensor yes = Make<bool>(DataType::kBool, {}, {true});
  auto all = RunOp("Dropout", 13, {{"seed", IntAttr(3)}}, {x, F32({}, {1.f}), yes}, 2);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  for (float f : Values<float>((*all)[0])) EXPECT_EQ(f, 0.f);
  EXPECT_EQ(Values<bool>((*all)[1]), (std::vector<bool>{false, false, false}));
  auto bad = RunOp("Dropout", 13, {}, {x, F32({}, {1.5f}), yes});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  auto old_mask = RunOp("Dropout", 7, {}, {x}, 2);
  ASSERT_TRUE(old_mask.ok()) << old_mask.status().ToString();
  EXPECT_EQ((*old_mask)[1].dtype(), DataType::kFloat);
  EXPECT_EQ(Values<float>((*old_mask)[1]), (std::vector<float>{1, 1, 1}));
}

}  // namespace
}  // namespace edgerun
