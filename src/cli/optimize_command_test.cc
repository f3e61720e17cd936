// Tests for `edgerun optimize`: exit codes and messages on bad input, and a written model that
// loads back and computes what the original computes.
#include <gtest/gtest.h>

#include <fstream>

#include "cli_runner.h"
#include "core/file.h"
#include "onnx/model_loader.h"
#include "passes/pass_test_util.h"

namespace edgerun {
namespace {

using edgerun::testing::CliFixture;
using edgerun::testing::RunCli;
using passes::testing::AttrInts;
using passes::testing::kFloat;
using passes::testing::ModelBuilder;
using passes::testing::RandomInitializer;
using passes::testing::RandomTensor;

class OptimizeCommandTest : public CliFixture {
 protected:
  std::string WriteModel() {
    ModelBuilder b;
    b.Input("x", kFloat, {1, 3, 6, 6}).Output("y", kFloat, {1, 4, 6, 6});
    RandomInitializer(b, "w", {4, 3, 3, 3}, 1);
    RandomInitializer(b, "bias", {4}, 2);
    AttrInts(b.Node("Conv", {"x", "w", "bias"}, {"c"}), "pads", {1, 1, 1, 1});
    b.Node("Identity", {"c"}, {"i"});
    b.Node("Relu", {"i"}, {"y"});
    bytes_ = b.Bytes();
    std::string path = Tmp("model.onnx");
    EXPECT_TRUE(WriteFileAtomically(path, bytes_).ok());
    return path;
  }
  std::string bytes_;
};

TEST_F(OptimizeCommandTest, WritesAModelThatLoadsBackAndMatches) {
  std::string model = WriteModel();
  auto r = RunCli("optimize " + model + " -o " + Tmp("out.onnx"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("com.edgerun.FusedConv"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Identity"), std::string::npos) << r.output;
  auto bytes = ReadFileToString(Tmp("out.onnx"));
  ASSERT_TRUE(bytes.ok());
  auto m = onnxio::LoadModelFromBytes(*bytes, "");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->graph->nodes.size(), 1u);
  EXPECT_EQ(m->graph->nodes[0].op_type, "FusedConv");
  EXPECT_EQ(m->opsets.at("com.edgerun"), 1);

  SessionOptions none;
  none.graph_optimization = "none";
  auto ref = Session::CreateFromBytes(bytes_, none);
  auto got = Session::CreateFromBytes(*bytes, none);
  ASSERT_TRUE(ref.ok() && got.ok());
  Tensor x = RandomTensor({1, 3, 6, 6}, 3);
  auto r0 = (*ref)->Run({{"x", x}});
  auto r1 = (*got)->Run({{"x", x}});
  ASSERT_TRUE(r0.ok() && r1.ok());
  for (int64_t i = 0; i < (*r0)[0].tensor.numel(); ++i) {
    EXPECT_NEAR((*r0)[0].tensor.data<float>()[i], (*r1)[0].tensor.data<float>()[i], 1e-5f);
  }
}

TEST_F(OptimizeCommandTest, LevelBasicWritesNoCustomOperators) {
  std::string model = WriteModel();
  auto r = RunCli("optimize " + model + " -o " + Tmp("out.onnx") + " --level basic");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto m = onnxio::LoadModelFromFile(Tmp("out.onnx"));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->opsets.count("com.edgerun"), 0u);
  EXPECT_EQ(m->graph->nodes.size(), 2u);  // Conv + Relu, the Identity removed
}

TEST_F(OptimizeCommandTest, BadInputFailsWithAClearMessage) {
  auto missing = RunCli("optimize " + Tmp("missing.onnx") + " -o " + Tmp("out.onnx"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("missing.onnx"), std::string::npos) << missing.output;
  ASSERT_TRUE(WriteFileAtomically(Tmp("junk.onnx"), "this is not a model").ok());
  auto junk = RunCli("optimize " + Tmp("junk.onnx") + " -o " + Tmp("out.onnx"));
  EXPECT_EQ(junk.exit_code, 1);
  EXPECT_NE(junk.output.find("not a valid ONNX model"), std::string::npos) << junk.output;
  std::string model = WriteModel();
  auto level = RunCli("optimize " + model + " -o " + Tmp("out.onnx") + " --level turbo");
  EXPECT_EQ(level.exit_code, 2);
  EXPECT_NE(level.output.find("turbo"), std::string::npos) << level.output;
  auto no_out = RunCli("optimize " + model);
  EXPECT_EQ(no_out.exit_code, 2);
  auto bad_dir = RunCli("optimize " + model + " -o /nonexistent/dir/out.onnx");
  EXPECT_EQ(bad_dir.exit_code, 1);
  EXPECT_NE(bad_dir.output.find("/nonexistent/dir/out.onnx"), std::string::npos) << bad_dir.output;
}

}  // namespace
}  // namespace edgerun
