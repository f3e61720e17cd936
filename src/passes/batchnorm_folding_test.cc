// Tests for BatchNormalization folding into Conv and Gemm.
#include "passes/pass_test_util.h"

namespace edgerun::passes {
namespace {

using namespace testing;

void AddBnParams(ModelBuilder& b, int64_t c) {
  PositiveInitializer(b, "gamma", {c}, 11);
  RandomInitializer(b, "beta", {c}, 12);
  RandomInitializer(b, "mean", {c}, 13);
  PositiveInitializer(b, "var", {c}, 14);
}

ModelBuilder ConvBnModel(bool with_bias, bool second_use) {
  ModelBuilder b;
  b.Input("x", kFloat, {1, 3, 6, 6}).Output("y", kFloat, {1, 4, 6, 6});
  if (second_use) b.Output("c", kFloat, {1, 4, 6, 6});
  RandomInitializer(b, "w", {4, 3, 3, 3}, 1);
  std::vector<std::string> ins = {"x", "w"};
  if (with_bias) {
    RandomInitializer(b, "bias", {4}, 2);
    ins.push_back("bias");
  }
  AttrInts(b.Node("Conv", ins, {"c"}), "pads", {1, 1, 1, 1});
  AddBnParams(b, 4);
  AttrFloat(b.Node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"y"}), "epsilon", 1e-3f);
  return b;
}

TEST(BatchNormFoldingTest, FoldsIntoConvWithAndWithoutBias) {
  for (bool with_bias : {false, true}) {
    ModelBuilder b = ConvBnModel(with_bias, false);
    bool changed = false;
    ir::Graph g = RunPass(b.Bytes(), FoldBatchNorm, &changed);
    EXPECT_TRUE(changed);
    ASSERT_EQ(g.nodes.size(), 1u);
    EXPECT_EQ(g.nodes[0].op_type, "Conv");
    EXPECT_EQ(g.nodes[0].outputs[0], "y");
    ASSERT_EQ(g.nodes[0].inputs.size(), 3u);
    EXPECT_TRUE(g.IsInitializer(g.nodes[0].inputs[2]));
    ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({1, 3, 6, 6}, 3)}}, "basic");
  }
}

TEST(BatchNormFoldingTest, KeepsBatchNormWhenTheConvOutputHasAnotherUse) {
  ModelBuilder b = ConvBnModel(true, true);
  bool changed = true;
  ir::Graph g = RunPass(b.Bytes(), FoldBatchNorm, &changed);
  EXPECT_FALSE(changed);
  EXPECT_EQ(CountOp(g, "BatchNormalization"), 1);
}

TEST(BatchNormFoldingTest, FoldsIntoGemm) {
  for (int trans_b : {0, 1}) {
    ModelBuilder b;
    b.Input("x", kFloat, {3, 5}).Output("y", kFloat, {3, 4});
    RandomInitializer(b, "w", trans_b ? std::vector<int64_t>{4, 5} : std::vector<int64_t>{5, 4}, 1);
    RandomInitializer(b, "c", {4}, 2);
    auto& gemm = b.Node("Gemm", {"x", "w", "c"}, {"g"});
    AttrInt(gemm, "transB", trans_b);
    AttrFloat(gemm, "beta", 0.5f);
    AddBnParams(b, 4);
    b.Node("BatchNormalization", {"g", "gamma", "beta", "mean", "var"}, {"y"});
    ir::Graph g = RunPass(b.Bytes(), FoldBatchNorm);
    ASSERT_EQ(g.nodes.size(), 1u);
    EXPECT_EQ(g.nodes[0].op_type, "Gemm");
    ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({3, 5}, 3)}}, "basic");
  }
}

}  // namespace
}  // namespace edgerun::passes
