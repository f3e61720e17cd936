// Tests for the removal of Identity, same-type Cast, same-shape Reshape and identity Transposes.
#include "passes/pass_test_util.h"

namespace edgerun::passes {
namespace {

using namespace testing;

TEST(RedundantNodesTest, RemovesPassThroughNodes) {
  ModelBuilder b;
  b.Input("x", kFloat, {2, 3}).Output("y", kFloat, {3, 2});
  Int64Initializer(b, "same", {2}, {2, 3});
  b.Node("Identity", {"x"}, {"a"});
  AttrInt(b.Node("Cast", {"a"}, {"b"}), "to", kFloat);
  b.Node("Reshape", {"b", "same"}, {"c"});
  AttrInts(b.Node("Transpose", {"c"}, {"d"}), "perm", {0, 1});
  AttrInts(b.Node("Transpose", {"d"}, {"e"}), "perm", {1, 0});
  AttrInts(b.Node("Transpose", {"e"}, {"f"}), "perm", {1, 0});
  b.Node("Relu", {"f"}, {"g"});
  AttrInts(b.Node("Transpose", {"g"}, {"y"}), "perm", {1, 0});
  bool changed = false;
  ir::Graph g = RunPass(b.Bytes(), RemoveRedundantNodes, &changed);
  EXPECT_TRUE(changed);
  ir::Graph clean = g;
  ASSERT_TRUE(EliminateDeadNodes(clean, PassContext()).ok());
  ASSERT_EQ(clean.nodes.size(), 2u);
  EXPECT_EQ(clean.nodes[0].op_type, "Relu");
  EXPECT_EQ(clean.nodes[0].inputs[0], "x");
  EXPECT_EQ(clean.nodes[1].op_type, "Transpose");
  ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({2, 3}, 1)}}, "basic");
}

TEST(RedundantNodesTest, IdentityIntoAGraphOutputRenamesTheProducer) {
  ModelBuilder b;
  b.Input("x", kFloat, {2}).Output("y", kFloat, {2});
  b.Node("Relu", {"x"}, {"r"});
  b.Node("Identity", {"r"}, {"y"});
  ir::Graph g = RunPass(b.Bytes(), RemoveRedundantNodes);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].outputs[0], "y");
  ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({2}, 2)}}, "basic");
}

TEST(RedundantNodesTest, KeepsIdentityBetweenInputAndOutputAndRealCasts) {
  ModelBuilder b;
  b.Input("x", kFloat, {2}).Output("y", kFloat, {2}).Output("z", onnx::TensorProto::DOUBLE, {2});
  b.Node("Identity", {"x"}, {"y"});
  AttrInt(b.Node("Cast", {"x"}, {"z"}), "to", onnx::TensorProto::DOUBLE);
  bool changed = true;
  ir::Graph g = RunPass(b.Bytes(), RemoveRedundantNodes, &changed);
  EXPECT_FALSE(changed);
  EXPECT_EQ(g.nodes.size(), 2u);
  ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({2}, 3)}}, "basic");
}

}  // namespace
}  // namespace edgerun::passes
