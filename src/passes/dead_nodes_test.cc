// Tests for dead-node elimination.
#include "passes/pass_test_util.h"

namespace edgerun::passes {
namespace {

using namespace testing;

TEST(DeadNodesTest, RemovesUnusedBranchesAndTheirInitializers) {
  ModelBuilder b;
  b.Input("x", kFloat, {2, 2}).Output("y", kFloat, {2, 2});
  RandomInitializer(b, "w", {2, 2}, 1);
  b.Node("MatMul", {"x", "w"}, {"unused"});
  b.Node("Relu", {"unused"}, {"unused2"});
  b.Node("Sigmoid", {"x"}, {"y"});
  bool changed = false;
  ir::Graph g = RunPass(b.Bytes(), EliminateDeadNodes, &changed);
  EXPECT_TRUE(changed);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op_type, "Sigmoid");
  EXPECT_FALSE(g.IsInitializer("w"));
  ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({2, 2}, 2)}});
}

TEST(DeadNodesTest, KeepsNodesFeedingOutputsAndInitializersListedAsInputs) {
  ModelBuilder b;
  b.Input("x", kFloat, {2}).Input("w", kFloat, {2}).Output("y", kFloat, {2});
  b.FloatInitializer("w", {2}, {1, 2});
  b.Node("Neg", {"x"}, {"a"});
  b.Node("Abs", {"a"}, {"y"});
  bool changed = true;
  ir::Graph g = RunPass(b.Bytes(), EliminateDeadNodes, &changed);
  EXPECT_FALSE(changed);
  EXPECT_EQ(g.nodes.size(), 2u);
  EXPECT_TRUE(g.IsInitializer("w"));  // overridable by the caller: stays
}

TEST(PipelineTest, LeavesMalformedGraphsToTheExecutor) {
  ModelBuilder b;
  b.Input("x", kFloat, {2}).Output("y", kFloat, {2});
  b.Node("Identity", {"b"}, {"a"}, "first");
  b.Node("Identity", {"a"}, {"b"}, "second");
  b.Node("Identity", {"b"}, {"y"}, "third");
  ir::Graph g = Optimize(b.Bytes());
  EXPECT_EQ(g.nodes.size(), 3u);
  auto s = Session::CreateFromBytes(b.Bytes());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("cycle"), std::string::npos) << s.status().ToString();
}

}  // namespace
}  // namespace edgerun::passes
