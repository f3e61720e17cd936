#include "bench/op_profile.h"

#include <gtest/gtest.h>

namespace edgerun::bench {
namespace {

TEST(OpProfileTest, SharesAndMeansFromKnownEvents) {
  // Two runs; Conv takes 300 us per run, Relu 100 us per run.
  std::vector<NodeEvent> ev = {
      {"conv1", "Conv", 0, 200000, 0}, {"conv2", "Conv", 200000, 300000, 0}, {"relu", "Relu", 300000, 400000, 0},
      {"conv1", "Conv", 0, 200000, 1}, {"conv2", "Conv", 200000, 300000, 1}, {"relu", "Relu", 300000, 400000, 1},
  };
  OperatorProfile p = AggregateProfile(ev, 2, 2);
  ASSERT_EQ(p.by_op_type.size(), 2u);
  EXPECT_EQ(p.by_op_type[0].op_type, "Conv");
  EXPECT_DOUBLE_EQ(p.by_op_type[0].total_us, 600.0);
  EXPECT_DOUBLE_EQ(p.by_op_type[0].share, 0.75);
  EXPECT_EQ(p.by_op_type[0].calls, 4);
  EXPECT_DOUBLE_EQ(p.by_op_type[1].share, 0.25);
  ASSERT_EQ(p.top_nodes.size(), 2u);  // truncated to top_n
  EXPECT_EQ(p.top_nodes[0].name, "conv1");
  EXPECT_DOUBLE_EQ(p.top_nodes[0].mean_us, 200.0);
  EXPECT_DOUBLE_EQ(p.top_nodes[0].share, 0.5);
}

TEST(OpProfileTest, ProfilesARealModel) {
  const std::string model = std::string(EDGERUN_SOURCE_DIR) + "/models/demo/sensor_demo.onnx";
  Tensor x = Tensor::Create(DataType::kFloat, {1, 64}).value();
  SessionOptions opts;
  opts.providers = {"cpu"};  // one profiled node per model node
  auto r = ProfileModel(model, opts, {{"features", x}}, 3);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 12u);  // 4 nodes x 3 runs
  double share = 0;
  for (const auto& o : r->profile.by_op_type) share += o.share;
  EXPECT_NEAR(share, 1.0, 1e-9);
  EXPECT_EQ(r->profile.by_op_type.size(), 3u);  // Gemm, Relu, Softmax
}

}  // namespace
}  // namespace edgerun::bench
