// Runs the edgerun binary as a user would: exit codes, files written, errors on stderr.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/file.h"
#include "core/npy.h"
#include "edgerun/tensor.h"
#include "onnx/tensor_proto.h"
#include "cli_runner.h"

namespace edgerun {
namespace {

namespace fs = std::filesystem;

using CmdResult = testing::CliResult;
using testing::RunCli;

class CliTest : public testing::CliFixture {
 protected:
  std::string Demo(const std::string& rel) { return Src("models/demo/" + rel); }
};

TEST_F(CliTest, RunWritesOutputsMatchingTheReference) {
  CmdResult r = RunCli("run " + Demo("sensor_demo.onnx") + " -i " + Demo("test_data_set_0/input_0.pb") + " -o " + Tmp("out") + " --npy");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string name;
  auto got = onnxio::ReadTensorProtoFile(Tmp("out/output_0.pb"), &name);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(name, "probabilities");
  auto want = onnxio::ReadTensorProtoFile(Demo("test_data_set_0/output_0.pb"));
  ASSERT_TRUE(want.ok());
  ASSERT_EQ(got->shape(), want->shape());
  for (int64_t i = 0; i < got->numel(); ++i) EXPECT_NEAR(got->data<float>()[i], want->data<float>()[i], 1e-5);
  auto npy = ReadNpyFile(Tmp("out/output_0.npy"));
  ASSERT_TRUE(npy.ok()) << npy.status().ToString();
  EXPECT_EQ(npy->data<float>()[0], got->data<float>()[0]);
}

TEST_F(CliTest, RunAcceptsNpyByName) {
  CmdResult r = RunCli("run " + Demo("sensor_demo.onnx") + " -i features=" + Demo("test_data_set_0/input_0.npy") + " -o " + Tmp("o2"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(Tmp("o2/output_0.pb")));
}

TEST_F(CliTest, InfoDescribesTheModel) {
  CmdResult r = RunCli("info " + Demo("sensor_demo.onnx"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("features"), std::string::npos);
  EXPECT_NE(r.output.find("Gemm"), std::string::npos);
  // 64*32 + 32 + 32*4 + 4 parameters.
  EXPECT_NE(r.output.find("(2212)"), std::string::npos) << r.output;
}

TEST_F(CliTest, MissingModelFails) {
  CmdResult r = RunCli("run /nonexistent.onnx -i x.pb -o " + Tmp("o"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("/nonexistent.onnx"), std::string::npos) << r.output;
}

TEST_F(CliTest, TruncatedModelFails) {
  auto bytes = ReadFileToString(Demo("sensor_demo.onnx"));
  ASSERT_TRUE(bytes.ok());
  ASSERT_TRUE(WriteFileAtomically(Tmp("cut.onnx"), bytes->substr(0, bytes->size() / 3)).ok());
  CmdResult r = RunCli("info " + Tmp("cut.onnx"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("cut.onnx"), std::string::npos) << r.output;
  r = RunCli("run " + Tmp("cut.onnx") + " -i x.pb -o " + Tmp("o"));
  EXPECT_EQ(r.exit_code, 1);
}

TEST_F(CliTest, WrongInputShapeFails) {
  Tensor t = Tensor::Create(DataType::kFloat, {1, 63}).value();
  ASSERT_TRUE(WriteNpyFile(t, Tmp("bad.npy")).ok());
  CmdResult r = RunCli("run " + Demo("sensor_demo.onnx") + " -i " + Tmp("bad.npy") + " -o " + Tmp("o"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("dimension 1 must be 64"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(Tmp("o/output_0.pb")));
}

TEST_F(CliTest, CorruptInputFileFails) {
  ASSERT_TRUE(WriteFileAtomically(Tmp("junk.npy"), "not numpy").ok());
  CmdResult r = RunCli("run " + Demo("sensor_demo.onnx") + " -i " + Tmp("junk.npy") + " -o " + Tmp("o"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("junk.npy"), std::string::npos) << r.output;
}

TEST_F(CliTest, TooManyInputsFails) {
  std::string in = Demo("test_data_set_0/input_0.pb");
  CmdResult r = RunCli("run " + Demo("sensor_demo.onnx") + " -i " + in + " -i " + in + " -o " + Tmp("o"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("takes only 1 input"), std::string::npos) << r.output;
}

TEST_F(CliTest, UnknownSubcommandIsAUsageError) {
  CmdResult r = RunCli("frobnicate");
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

}  // namespace
}  // namespace edgerun

#include "model_builder.h"

namespace edgerun {
namespace {

// Every kind of bad model is refused by both subcommands with exit status 1 and a message that
// names the element at fault.
TEST_F(CliTest, BadModelsExitNonZeroNamingTheFault) {
  constexpr int kF = onnx::TensorProto::FLOAT;
  struct Case {
    const char* file;
    std::string bytes;
    const char* must_name;
  };
  std::vector<Case> cases;
  {
    testing::ModelBuilder b;
    b.Input("x", kF, {2}).Output("y", kF, {2});
    b.Node("Identity", {"missing_weights"}, {"y"}, "reader");
    cases.push_back({"missing_init.onnx", b.Bytes(), "missing_weights"});
  }
  {
    testing::ModelBuilder b;
    b.Input("x", kF, {2}).Output("y", kF, {2});
    b.Node("Identity", {"b"}, {"a"}, "loop_a");
    b.Node("Identity", {"a"}, {"b"}, "loop_b");
    b.Node("Identity", {"b"}, {"y"}, "tail");
    cases.push_back({"cycle.onnx", b.Bytes(), "cycle"});
  }
  {
    testing::ModelBuilder b;
    b.Input("x", kF, {2}).Output("y", kF, {2});
    b.Node("Teleport", {"x"}, {"y"}, "beam_me_up");
    cases.push_back({"unknown_op.onnx", b.Bytes(), "beam_me_up"});
  }
  {
    testing::ModelBuilder b(99);
    b.Input("x", kF, {2}).Output("y", kF, {2});
    b.Node("Identity", {"x"}, {"y"});
    cases.push_back({"opset99.onnx", b.Bytes(), "opset 99"});
  }
  {
    testing::ModelBuilder b;
    b.Input("x", kF, {2}).Output("y", kF, {2});
    b.FloatInitializer("short_weights", {4, 4}, {1, 2});
    b.Node("Identity", {"short_weights"}, {"y"});
    cases.push_back({"size_mismatch.onnx", b.Bytes(), "short_weights"});
  }
  {
    testing::ModelBuilder b;
    b.Input("x", kF, {2}).Output("y", kF, {2});
    auto& t = b.FloatInitializer("giant", {int64_t{1} << 20, int64_t{1} << 20}, {});
    t.set_raw_data(std::string(64, '\0'));
    b.Node("Identity", {"giant"}, {"y"});
    cases.push_back({"absurd_dims.onnx", b.Bytes(), "giant"});
  }
  cases.push_back({"empty.onnx", "", "empty"});
  cases.push_back({"text.onnx", "hello, I am not a model\n", "not a valid ONNX model"});
  for (const auto& c : cases) {
    ASSERT_TRUE(WriteFileAtomically(Tmp(c.file), c.bytes).ok());
    CmdResult run = RunCli("run " + Tmp(c.file) + " -o " + Tmp("out"));
    EXPECT_EQ(run.exit_code, 1) << c.file << ": " << run.output;
    EXPECT_NE(run.output.find(c.must_name), std::string::npos) << c.file << ": " << run.output;
    CmdResult info = RunCli("info " + Tmp(c.file));
    EXPECT_EQ(info.exit_code, 1) << c.file << ": " << info.output;
  }
}

}  // namespace
}  // namespace edgerun
