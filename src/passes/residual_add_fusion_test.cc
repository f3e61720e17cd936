// Tests for Conv + Add(residual) [+ Relu] -> FusedConv with Z.
#include "passes/pass_test_util.h"

namespace edgerun::passes {
namespace {

using namespace testing;

ModelBuilder ResidualModel(bool relu) {
  ModelBuilder b;
  b.Input("x", kFloat, {1, 4, 5, 5}).Output("y", kFloat, {1, 4, 5, 5});
  RandomInitializer(b, "w", {4, 4, 3, 3}, 1);
  RandomInitializer(b, "bias", {4}, 2);
  AttrInts(b.Node("Conv", {"x", "w", "bias"}, {"c"}), "pads", {1, 1, 1, 1});
  b.Node("Add", {"x", "c"}, {relu ? "s" : "y"});
  if (relu) b.Node("Relu", {"s"}, {"y"});
  return b;
}

TEST(ResidualAddFusionTest, FusesConvAddReluIntoOneFusedConv) {
  ModelBuilder b = ResidualModel(true);
  ir::Graph g = Optimize(b.Bytes());
  ASSERT_EQ(g.nodes.size(), 1u);
  const ir::Node& n = g.nodes[0];
  EXPECT_EQ(n.op_type, "FusedConv");
  EXPECT_EQ(n.domain, "com.edgerun");
  EXPECT_EQ(n.inputs, (std::vector<std::string>{"x", "w", "bias", "x"}));
  EXPECT_EQ(n.GetString("activation", "?"), "Relu");
  EXPECT_EQ(n.outputs[0], "y");
  EXPECT_EQ(g.opsets.at("com.edgerun"), 1);
  ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({1, 4, 5, 5}, 3)}});
}

TEST(ResidualAddFusionTest, FusesWithoutActivation) {
  ModelBuilder b = ResidualModel(false);
  bool changed = false;
  ir::Graph g = RunPass(b.Bytes(), FuseResidualAdd, &changed);
  EXPECT_TRUE(changed);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].GetString("activation", "?"), "");
  ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({1, 4, 5, 5}, 4)}});
}

TEST(ResidualAddFusionTest, SkipsBroadcastingAdds) {
  ModelBuilder b;
  b.Input("x", kFloat, {1, 4, 5, 5}).Output("y", kFloat, {1, 4, 5, 5});
  RandomInitializer(b, "w", {4, 4, 1, 1}, 1);
  RandomInitializer(b, "k", {4, 1, 1}, 2);
  b.Node("Conv", {"x", "w"}, {"c"});
  b.Node("Add", {"c", "k"}, {"y"});
  bool changed = true;
  RunPass(b.Bytes(), FuseResidualAdd, &changed);
  EXPECT_FALSE(changed);
  ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({1, 4, 5, 5}, 5)}});
}

}  // namespace
}  // namespace edgerun::passes
