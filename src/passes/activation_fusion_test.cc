// Tests for Conv + activation -> FusedConv, one case per supported activation.
#include "passes/pass_test_util.h"

namespace edgerun::passes {
namespace {

using namespace testing;

struct Case {
  std::string op;
  std::vector<float> params;
};

ModelBuilder ConvActModel(const std::string& op, int opset) {
  ModelBuilder b(opset);
  b.Input("x", kFloat, {1, 3, 5, 5}).Output("y", kFloat, {1, 2, 5, 5});
  RandomInitializer(b, "w", {2, 3, 3, 3}, 1);
  AttrInts(b.Node("Conv", {"x", "w"}, {"c"}), "pads", {1, 1, 1, 1});
  if (op == "Clip") {
    b.FloatInitializer("lo", {}, {-0.25f});
    b.FloatInitializer("hi", {}, {0.5f});
    b.Node("Clip", {"c", "lo", "hi"}, {"y"});
  } else if (op == "LeakyRelu") {
    AttrFloat(b.Node(op, {"c"}, {"y"}), "alpha", 0.2f);
  } else if (op == "HardSigmoid") {
    AttrFloat(b.Node(op, {"c"}, {"y"}), "alpha", 0.3f);
  } else {
    b.Node(op, {"c"}, {"y"});
  }
  return b;
}

TEST(ActivationFusionTest, FusesEveryActivation) {
  const Case cases[] = {{"Relu", {}},        {"Clip", {-0.25f, 0.5f}},    {"Sigmoid", {}},        {"Tanh", {}},
                        {"HardSwish", {}},   {"LeakyRelu", {0.2f}},       {"HardSigmoid", {0.3f, 0.5f}}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.op);
    ModelBuilder b = ConvActModel(c.op, 14);
    bool changed = false;
    ir::Graph g = RunPass(b.Bytes(), FuseActivation, &changed);
    EXPECT_TRUE(changed);
    ASSERT_EQ(g.nodes.size(), 1u);
    EXPECT_EQ(g.nodes[0].op_type, "FusedConv");
    EXPECT_EQ(g.nodes[0].GetString("activation", "?"), c.op);
    EXPECT_EQ(g.nodes[0].GetFloats("activation_params"), c.params);
    EXPECT_EQ(g.nodes[0].outputs[0], "y");
    ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({1, 3, 5, 5}, 2, 2.0f)}});
  }
}

TEST(ActivationFusionTest, SkipsConvOutputsThatAreAlsoGraphOutputs) {
  ModelBuilder b = ConvActModel("Relu", 13);
  b.Output("c", kFloat, {1, 2, 5, 5});
  bool changed = true;
  ir::Graph g = RunPass(b.Bytes(), FuseActivation, &changed);
  EXPECT_FALSE(changed);
  EXPECT_EQ(CountOp(g, "Conv"), 1);
  ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({1, 3, 5, 5}, 3)}});
}

TEST(ActivationFusionTest, SkipsClipWithRuntimeBounds) {
  ModelBuilder b(13);
  b.Input("x", kFloat, {1, 3, 5, 5}).Input("hi", kFloat, {}).Output("y", kFloat, {1, 2, 5, 5});
  RandomInitializer(b, "w", {2, 3, 3, 3}, 1);
  AttrInts(b.Node("Conv", {"x", "w"}, {"c"}), "pads", {1, 1, 1, 1});
  b.Node("Clip", {"c", "", "hi"}, {"y"});
  bool changed = true;
  RunPass(b.Bytes(), FuseActivation, &changed);
  EXPECT_FALSE(changed);
}

TEST(ActivationFusionTest, FusesHardSwishWrittenAsMulOfHardSigmoid) {
  ModelBuilder b(13);
  b.Input("x", kFloat, {1, 3, 5, 5}).Output("y", kFloat, {1, 2, 5, 5});
  RandomInitializer(b, "w", {2, 3, 3, 3}, 1);
  AttrInts(b.Node("Conv", {"x", "w"}, {"c"}), "pads", {1, 1, 1, 1});
  auto& hs = b.Node("HardSigmoid", {"c"}, {"h"});
  AttrFloat(hs, "alpha", 1.0f / 6.0f);
  AttrFloat(hs, "beta", 0.5f);
  b.Node("Mul", {"c", "h"}, {"y"});
  bool changed = false;
  ir::Graph g = RunPass(b.Bytes(), FuseActivation, &changed);
  EXPECT_TRUE(changed);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].GetString("activation", "?"), "HardSwish");
  EXPECT_EQ(g.nodes[0].outputs[0], "y");
  ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({1, 3, 5, 5}, 2, 4.0f)}});
}

}  // namespace
}  // namespace edgerun::passes
