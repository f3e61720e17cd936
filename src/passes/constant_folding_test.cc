// Tests for constant folding: constant subgraphs, PyTorch's Shape chains, and what must not fold.
#include "passes/pass_test_util.h"

namespace edgerun::passes {
namespace {

using namespace testing;

TEST(ConstantFoldingTest, FoldsConstantArithmeticIntoAnInitializer) {
  ModelBuilder b;
  b.Input("x", kFloat, {2, 3}).Output("y", kFloat, {2, 3});
  RandomInitializer(b, "a", {2, 3}, 1);
  RandomInitializer(b, "c", {3}, 2);
  b.Node("Add", {"a", "c"}, {"ac"});
  b.Node("Neg", {"ac"}, {"nac"});
  b.Node("Mul", {"x", "nac"}, {"y"});
  bool changed = false;
  ir::Graph g = RunPass(b.Bytes(), FoldConstants, &changed);
  EXPECT_TRUE(changed);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op_type, "Mul");
  EXPECT_TRUE(g.IsInitializer("nac"));
  ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({2, 3}, 3)}});
}

TEST(ConstantFoldingTest, FoldsConstantNodes) {
  ModelBuilder b;
  b.Input("x", kFloat, {2}).Output("y", kFloat, {2});
  auto& c = b.Node("Constant", {}, {"k"});
  auto* a = c.add_attribute();
  a->set_name("value_floats");
  a->set_type(onnx::AttributeProto::FLOATS);
  a->add_floats(2.0f);
  a->add_floats(3.0f);
  b.Node("Mul", {"x", "k"}, {"y"});
  ir::Graph g = Optimize(b.Bytes(), OptLevel::kBasic);
  EXPECT_EQ(CountOp(g, "Constant"), 0);
  EXPECT_EQ(g.nodes.size(), 1u);
  ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({2}, 4)}});
}

// PyTorch's flatten: Shape -> Gather(0) -> Unsqueeze -> Concat([-1]) -> Reshape.
ModelBuilder ShapeChainModel(int64_t batch) {
  ModelBuilder b;
  b.Input("x", kFloat, {batch, 3, 4}).Output("y", kFloat, {batch, 12});
  Int64Initializer(b, "zero", {}, {0});
  Int64Initializer(b, "axes", {1}, {0});
  Int64Initializer(b, "minus_one", {1}, {-1});
  b.Node("Shape", {"x"}, {"shape"});
  b.Node("Gather", {"shape", "zero"}, {"n"});
  b.Node("Unsqueeze", {"n", "axes"}, {"n1"});
  b.Node("Concat", {"n1", "minus_one"}, {"target"}).add_attribute()->CopyFrom([] {
    onnx::AttributeProto a;
    a.set_name("axis");
    a.set_type(onnx::AttributeProto::INT);
    a.set_i(0);
    return a;
  }());
  b.Node("Reshape", {"x", "target"}, {"y"});
  return b;
}

TEST(ConstantFoldingTest, FoldsShapeChainsOfStaticShapes) {
  ModelBuilder b = ShapeChainModel(2);
  ir::Graph g = Optimize(b.Bytes(), OptLevel::kBasic);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op_type, "Reshape");
  const Tensor& target = g.initializers.at(g.nodes[0].inputs[1]);
  EXPECT_EQ(std::vector<int64_t>(target.data<int64_t>(), target.data<int64_t>() + 2), (std::vector<int64_t>{2, -1}));
  ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({2, 3, 4}, 5)}});
}

TEST(ConstantFoldingTest, KeepsShapeOfDynamicDims) {
  ModelBuilder b = ShapeChainModel(-1);
  ir::Graph g = Optimize(b.Bytes(), OptLevel::kBasic);
  EXPECT_EQ(CountOp(g, "Shape"), 1);
  ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({5, 3, 4}, 6)}});
}

TEST(ConstantFoldingTest, NeverFoldsRandomOps) {
  ModelBuilder b;
  b.Input("x", kFloat, {2}).Output("y", kFloat, {2});
  auto& r = b.Node("RandomNormal", {}, {"noise"});
  AttrInts(r, "shape", {2});
  AttrFloat(r, "seed", 1.0f);
  b.Node("Add", {"x", "noise"}, {"y"});
  ir::Graph g = Optimize(b.Bytes());
  EXPECT_EQ(CountOp(g, "RandomNormal"), 1);
}

TEST(ConstantFoldingTest, SkipsHugeResults) {
  ModelBuilder b;
  b.Input("x", kFloat, {1}).Output("y", kFloat, {-1});
  Int64Initializer(b, "shape", {1}, {int64_t{64} << 20});
  b.Node("ConstantOfShape", {"shape"}, {"big"});
  b.Node("Add", {"x", "big"}, {"y"});
  bool changed = true;
  ir::Graph g = RunPass(b.Bytes(), FoldConstants, &changed);
  EXPECT_FALSE(changed);
  EXPECT_EQ(CountOp(g, "ConstantOfShape"), 1);
}

TEST(ConstantFoldingTest, FoldsNodesWhoseOutputIsAGraphOutput) {
  ModelBuilder b;
  b.Input("x", kFloat, {2}).Output("y", kFloat, {2}).Output("k", kFloat, {2});
  RandomInitializer(b, "a", {2}, 7);
  b.Node("Neg", {"a"}, {"k"});
  b.Node("Add", {"x", "k"}, {"y"});
  ir::Graph g = Optimize(b.Bytes());
  EXPECT_EQ(CountOp(g, "Neg"), 0);
  ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({2}, 8)}});
}

}  // namespace
}  // namespace edgerun::passes
