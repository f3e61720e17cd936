// Tests for MatMul + Add -> Gemm.
#include "passes/pass_test_util.h"

namespace edgerun::passes {
namespace {

using namespace testing;

TEST(MatMulAddToGemmTest, FusesConstantWeightsAndBias) {
  for (bool bias_first : {false, true}) {
    ModelBuilder b;
    b.Input("x", kFloat, {3, 5}).Output("y", kFloat, {3, 4});
    RandomInitializer(b, "w", {5, 4}, 1);
    RandomInitializer(b, "bias", {4}, 2);
    b.Node("MatMul", {"x", "w"}, {"m"});
    b.Node("Add", bias_first ? std::vector<std::string>{"bias", "m"} : std::vector<std::string>{"m", "bias"}, {"y"});
    bool changed = false;
    ir::Graph g = RunPass(b.Bytes(), FuseMatMulAdd, &changed);
    EXPECT_TRUE(changed);
    ASSERT_EQ(g.nodes.size(), 1u);
    EXPECT_EQ(g.nodes[0].op_type, "Gemm");
    EXPECT_EQ(g.nodes[0].inputs, (std::vector<std::string>{"x", "w", "bias"}));
    ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({3, 5}, 3)}});
  }
}

TEST(MatMulAddToGemmTest, SkipsBatchedInputsAndSharedProducts) {
  ModelBuilder b;
  b.Input("x", kFloat, {2, 3, 5}).Input("x2", kFloat, {3, 5}).Output("y", kFloat, {2, 3, 4});
  b.Output("y2", kFloat, {3, 4}).Output("m2", kFloat, {3, 4});
  RandomInitializer(b, "w", {5, 4}, 1);
  RandomInitializer(b, "bias", {4}, 2);
  b.Node("MatMul", {"x", "w"}, {"m"});
  b.Node("Add", {"m", "bias"}, {"y"});
  b.Node("MatMul", {"x2", "w"}, {"m2"});
  b.Node("Add", {"m2", "bias"}, {"y2"});
  bool changed = true;
  ir::Graph g = RunPass(b.Bytes(), FuseMatMulAdd, &changed);
  EXPECT_FALSE(changed);
  EXPECT_EQ(CountOp(g, "Gemm"), 0);
}

}  // namespace
}  // namespace edgerun::passes
