#include "agent/routing.h"

#include <gtest/gtest.h>

#include "agent/postprocess.h"

namespace edgerun::agent {
namespace {

TEST(RoutingTest, LeastConfidenceUsesTheDefaultThreshold) {
  Router r(RoutingConfig{});
  EXPECT_DOUBLE_EQ(r.threshold(), 0.85);
  EXPECT_STREQ(r.Route({0.8f, 0.1f, 0.1f}), "least_confidence");
  EXPECT_STREQ(r.Route({0.9f, 0.05f, 0.05f}), "");
}

TEST(RoutingTest, MarginRoutesCloseTopTwo) {
  RoutingConfig c;
  c.strategy = RoutingStrategy::kMargin;
  c.threshold = 0.1;
  Router r(c);
  EXPECT_STREQ(r.Route({0.48f, 0.42f, 0.1f}), "margin");
  EXPECT_STREQ(r.Route({0.6f, 0.3f, 0.1f}), "");
}

TEST(RoutingTest, EntropyRoutesFlatDistributions) {
  RoutingConfig c;
  c.strategy = RoutingStrategy::kEntropy;
  Router r(c);
  EXPECT_NEAR(NormalizedEntropy({0.25f, 0.25f, 0.25f, 0.25f}), 1.0, 1e-6);
  EXPECT_NEAR(NormalizedEntropy({1.0f, 0, 0, 0}), 0.0, 1e-6);
  EXPECT_STREQ(r.Route({0.3f, 0.3f, 0.2f, 0.2f}), "entropy");
  EXPECT_STREQ(r.Route({0.97f, 0.01f, 0.01f, 0.01f}), "");
}

TEST(RoutingTest, SamplesConfidentResultsAtTheConfiguredRate) {
  RoutingConfig c;
  c.sample_rate = 0.2;
  c.seed = 7;
  Router r(c);
  int sampled = 0;
  for (int i = 0; i < 10000; ++i) sampled += std::string(r.Route({0.99f, 0.01f})) == "sample";
  EXPECT_NEAR(sampled, 2000, 200);
}

TEST(PostprocessTest, SoftmaxTopKAndNormalize) {
  std::vector<float> v = {1.0f, 3.0f, 2.0f};
  SoftmaxInPlace(v);
  EXPECT_NEAR(v[0] + v[1] + v[2], 1.0f, 1e-6);
  auto top = TopK(v, 2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].first, 1);
  EXPECT_EQ(top[1].first, 2);
  PreprocessConfig pre{{1.0f}, {2.0f}};
  float in[2] = {3.0f, 5.0f}, out[2];
  Normalize(pre, in, 2, out);
  EXPECT_FLOAT_EQ(out[0], 1.0f);
  EXPECT_FLOAT_EQ(out[1], 2.0f);
  EXPECT_FALSE(ValidatePreprocess(PreprocessConfig{{1, 2, 3}, {}}, 2).ok());
  EXPECT_FALSE(ValidatePreprocess(PreprocessConfig{{}, {0.0f}}, 2).ok());
  float bad[2] = {1.0f, std::numeric_limits<float>::quiet_NaN()};
  EXPECT_FALSE(AllFinite(bad, 2));
}

}  // namespace
}  // namespace edgerun::agent
