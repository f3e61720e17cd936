// Bad input of every kind named in the engine-core issue: each yields a clear Status naming the
// element at fault, never a crash, hang or unbounded allocation.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "edgerun/session.h"
#include "model_builder.h"

namespace edgerun {
namespace {

using testing::ModelBuilder;
constexpr int kFloat = onnx::TensorProto::FLOAT;

ModelBuilder IdentityModel(int opset = 13) {
  ModelBuilder b(opset);
  b.Input("x", kFloat, {2, 3}).Output("y", kFloat, {2, 3});
  b.Node("Identity", {"x"}, {"y"}, "id");
  return b;
}

Tensor FloatTensor(const Shape& shape, float fill = 1.0f) {
  Tensor t = Tensor::Create(DataType::kFloat, shape).value();
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = fill;
  return t;
}

void ExpectError(const Status& st, StatusCode code, const std::string& fragment) {
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), code) << st.ToString();
  EXPECT_NE(st.message().find(fragment), std::string::npos) << "message: " << st.message() << "\nexpected to contain: " << fragment;
}

TEST(BadInputTest, ValidModelLoadsAndRuns) {
  auto s = Session::CreateFromBytes(IdentityModel().Bytes());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto out = (*s)->Run({{"x", FloatTensor({2, 3}, 2.0f)}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].tensor.data<float>()[5], 2.0f);
}

TEST(BadInputTest, EmptyFile) {
  ExpectError(Session::CreateFromBytes("").status(), StatusCode::kCorruption, "empty");
}

TEST(BadInputTest, TruncatedFile) {
  std::string bytes = IdentityModel().Bytes();
  for (size_t cut : {bytes.size() / 2, bytes.size() - 3, size_t{7}}) {
    auto s = Session::CreateFromBytes(bytes.substr(0, cut));
    EXPECT_FALSE(s.ok()) << "cut at " << cut;
  }
  ExpectError(Session::CreateFromBytes(bytes.substr(0, bytes.size() / 2)).status(), StatusCode::kCorruption, "ONNX");
}

TEST(BadInputTest, NonOnnxFile) {
  ExpectError(Session::CreateFromBytes("#!/bin/sh\necho this is not a model\n").status(), StatusCode::kCorruption,
              "not a valid ONNX model");
  ExpectError(Session::CreateFromFile("/nonexistent/model.onnx").status(), StatusCode::kIOError, "/nonexistent/model.onnx");
}

// Model files are mapped, not read: the same errors, naming the path, for files on disk.
TEST(BadInputTest, ModelFilesOnDisk) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("edgerun_bad_files_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    return (dir / name).string();
  };
  const std::string bytes = IdentityModel().Bytes();
  ExpectError(Session::CreateFromFile(write("empty.onnx", "")).status(), StatusCode::kCorruption, "empty.onnx");
  ExpectError(Session::CreateFromFile(write("half.onnx", bytes.substr(0, bytes.size() / 2))).status(),
              StatusCode::kCorruption, "half.onnx");
  ExpectError(Session::CreateFromFile(dir.string()).status(), StatusCode::kIOError, "is a directory");
  // A FIFO cannot be mapped: it is read instead (a writer feeds it the model).
  const std::string fifo = (dir / "model.fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] { std::ofstream(fifo, std::ios::binary) << bytes; });
  auto from_fifo = Session::CreateFromFile(fifo);
  writer.join();
  EXPECT_TRUE(from_fifo.ok()) << from_fifo.status().ToString();
  auto good = Session::CreateFromFile(write("good.onnx", bytes));
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  std::filesystem::remove_all(dir);
}

TEST(BadInputTest, MissingInitializer) {
  ModelBuilder b;
  b.Input("x", kFloat, {2}).Output("y", kFloat, {2});
  b.Node("Identity", {"weights"}, {"y"}, "uses_weights");
  ExpectError(Session::CreateFromBytes(b.Bytes()).status(), StatusCode::kInvalidArgument, "'weights'");
  ExpectError(Session::CreateFromBytes(b.Bytes()).status(), StatusCode::kInvalidArgument, "uses_weights");
}

TEST(BadInputTest, GraphCycle) {
  ModelBuilder b;
  b.Input("x", kFloat, {2}).Output("y", kFloat, {2});
  b.Node("Identity", {"b"}, {"a"}, "first");
  b.Node("Identity", {"a"}, {"b"}, "second");
  b.Node("Identity", {"b"}, {"y"}, "third");
  ExpectError(Session::CreateFromBytes(b.Bytes()).status(), StatusCode::kInvalidArgument, "cycle");
  ExpectError(Session::CreateFromBytes(b.Bytes()).status(), StatusCode::kInvalidArgument, "'first'");
}

TEST(BadInputTest, UnknownOperatorsAreAllListed) {
  ModelBuilder b;
  b.Input("x", kFloat, {2}).Output("y", kFloat, {2});
  b.Node("FancyOp", {"x"}, {"a"}, "fancy");
  b.Node("OtherOp", {"a"}, {"y"}, "other");
  Status st = Session::CreateFromBytes(b.Bytes()).status();
  ExpectError(st, StatusCode::kUnsupported, "'fancy' (FancyOp");
  ExpectError(st, StatusCode::kUnsupported, "'other' (OtherOp");
}

TEST(BadInputTest, UnknownDomain) {
  ModelBuilder b;
  b.Input("x", kFloat, {2}).Output("y", kFloat, {2});
  auto* op = b.proto().add_opset_import();
  op->set_domain("com.example.custom");
  op->set_version(1);
  b.Node("Identity", {"x"}, {"y"}, "custom_node").set_domain("com.example.custom");
  ExpectError(Session::CreateFromBytes(b.Bytes()).status(), StatusCode::kUnsupported, "unknown domain 'com.example.custom'");
}

TEST(BadInputTest, OpsetNewerThanSupported) {
  ExpectError(Session::CreateFromBytes(IdentityModel(99).Bytes()).status(), StatusCode::kUnsupported, "opset 99");
}

TEST(BadInputTest, InitializerSizeMismatch) {
  ModelBuilder b;
  b.Input("x", kFloat, {2}).Output("y", kFloat, {2});
  b.FloatInitializer("w", {3, 2}, {1, 2, 3});  // declares 6 values, holds 3
  b.Node("Identity", {"w"}, {"y"});
  ExpectError(Session::CreateFromBytes(b.Bytes()).status(), StatusCode::kCorruption, "tensor 'w'");
  ExpectError(Session::CreateFromBytes(b.Bytes()).status(), StatusCode::kCorruption, "[3,2]");
}

TEST(BadInputTest, RawDataSizeMismatch) {
  ModelBuilder b;
  b.Input("x", kFloat, {2}).Output("y", kFloat, {2});
  auto& t = b.FloatInitializer("w", {4}, {});
  t.set_raw_data(std::string(10, '\0'));  // 4 floats need 16 bytes
  b.Node("Identity", {"w"}, {"y"});
  ExpectError(Session::CreateFromBytes(b.Bytes()).status(), StatusCode::kCorruption, "16 bytes");
}

TEST(BadInputTest, AbsurdDimensionsDoNotAllocate) {
  ModelBuilder b;
  b.Input("x", kFloat, {2}).Output("y", kFloat, {2});
  auto& t = b.FloatInitializer("huge", {int64_t{1} << 20, int64_t{1} << 20}, {});  // 2^40 elements
  t.set_raw_data(std::string(16, '\0'));
  b.Node("Identity", {"huge"}, {"y"});
  ExpectError(Session::CreateFromBytes(b.Bytes()).status(), StatusCode::kCorruption, "tensor 'huge'");
}

TEST(BadInputTest, AbsurdInputShapeIsRejectedByTensorLimit) {
  auto t = Tensor::Create(DataType::kFloat, {int64_t{1} << 40});
  ExpectError(t.status(), StatusCode::kOutOfMemory, "limit");
}

TEST(BadInputTest, WrongInputName) {
  auto s = Session::CreateFromBytes(IdentityModel().Bytes());
  ASSERT_TRUE(s.ok());
  ExpectError((*s)->Run({{"not_x", FloatTensor({2, 3})}}).status(), StatusCode::kInvalidArgument, "unknown input 'not_x'");
  ExpectError((*s)->Run({}).status(), StatusCode::kInvalidArgument, "missing input 'x'");
}

TEST(BadInputTest, WrongInputDtype) {
  auto s = Session::CreateFromBytes(IdentityModel().Bytes());
  ASSERT_TRUE(s.ok());
  Tensor t = Tensor::Create(DataType::kInt64, {2, 3}).value();
  ExpectError((*s)->Run({{"x", t}}).status(), StatusCode::kInvalidArgument, "expects dtype float, got int64");
}

TEST(BadInputTest, WrongInputShape) {
  auto s = Session::CreateFromBytes(IdentityModel().Bytes());
  ASSERT_TRUE(s.ok());
  ExpectError((*s)->Run({{"x", FloatTensor({2, 4})}}).status(), StatusCode::kInvalidArgument, "dimension 1 must be 3");
  ExpectError((*s)->Run({{"x", FloatTensor({6})}}).status(), StatusCode::kInvalidArgument, "expects rank 2");
}

TEST(BadInputTest, DynamicDimensionsAcceptAnySize) {
  ModelBuilder b;
  b.Input("x", kFloat, {-1, 3}).Output("y", kFloat, {-1, 3});
  b.Node("Identity", {"x"}, {"y"});
  auto s = Session::CreateFromBytes(b.Bytes());
  ASSERT_TRUE(s.ok());
  for (int64_t n : {1, 5, 2}) {
    auto out = (*s)->Run({{"x", FloatTensor({n, 3})}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ((*out)[0].tensor.shape(), (Shape{n, 3}));
  }
}

TEST(BadInputTest, NanAndInfAreComputedNotRejected) {
  ModelBuilder b;
  b.Input("x", kFloat, {3}).Output("y", kFloat, {3});
  b.Node("Add", {"x", "x"}, {"y"});
  auto s = Session::CreateFromBytes(b.Bytes());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Tensor x = FloatTensor({3});
  x.data<float>()[0] = NAN;
  x.data<float>()[1] = INFINITY;
  x.data<float>()[2] = -1.5f;
  auto out = (*s)->Run({{"x", x}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const float* y = (*out)[0].tensor.data<float>();
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_TRUE(std::isinf(y[1]) && y[1] > 0);
  EXPECT_EQ(y[2], -3.0f);
}

TEST(BadInputTest, ExternalDataOutsideModelDirIsRejected) {
  ModelBuilder b;
  b.Input("x", kFloat, {2}).Output("y", kFloat, {2});
  auto& t = b.FloatInitializer("w", {2}, {});
  t.set_data_location(onnx::TensorProto::EXTERNAL);
  auto* kv = t.add_external_data();
  kv->set_key("location");
  kv->set_value("../../etc/passwd");
  b.Node("Identity", {"w"}, {"y"});
  ExpectError(Session::CreateFromBytes(b.Bytes(), {}, "/tmp").status(), StatusCode::kCorruption, "leaves the model directory");
}

TEST(BadInputTest, MissingExternalDataFile) {
  ModelBuilder b;
  b.Input("x", kFloat, {2}).Output("y", kFloat, {2});
  auto& t = b.FloatInitializer("w", {2}, {});
  t.set_data_location(onnx::TensorProto::EXTERNAL);
  auto* kv = t.add_external_data();
  kv->set_key("location");
  kv->set_value("weights_that_do_not_exist.bin");
  b.Node("Identity", {"w"}, {"y"});
  ExpectError(Session::CreateFromBytes(b.Bytes(), {}, "/tmp").status(), StatusCode::kIOError, "weights_that_do_not_exist.bin");
}

}  // namespace
}  // namespace edgerun

namespace edgerun {
namespace {

TEST(BadInputTest, NonTerminatingLoopStopsWithAnError) {
  // Loop with no trip count and a body that always returns true.
  testing::ModelBuilder b;
  b.Input("v0", onnx::TensorProto::FLOAT, {1}).Output("v", onnx::TensorProto::FLOAT, {1});
  auto& loop = b.Node("Loop", {"", "", "v0"}, {"v"}, "forever");
  auto* attr = loop.add_attribute();
  attr->set_name("body");
  attr->set_type(onnx::AttributeProto::GRAPH);
  auto* body = attr->mutable_g();
  body->set_name("body");
  auto add_vi = [](onnx::ValueInfoProto* vi, const char* name, int type, bool vec) {
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(type);
    auto* shape = tt->mutable_shape();
    if (vec) shape->add_dim()->set_dim_value(1);
  };
  add_vi(body->add_input(), "i", onnx::TensorProto::INT64, false);
  add_vi(body->add_input(), "c_in", onnx::TensorProto::BOOL, false);
  add_vi(body->add_input(), "v_in", onnx::TensorProto::FLOAT, true);
  add_vi(body->add_output(), "c_out", onnx::TensorProto::BOOL, false);
  add_vi(body->add_output(), "v_out", onnx::TensorProto::FLOAT, true);
  for (auto [in, out] : {std::pair<const char*, const char*>{"c_in", "c_out"}, {"v_in", "v_out"}}) {
    auto* n = body->add_node();
    n->set_op_type("Identity");
    n->add_input(in);
    n->add_output(out);
  }
  SessionOptions opts;
  opts.max_loop_iterations = 1000;
  auto s = Session::CreateFromBytes(b.Bytes(), opts);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Tensor v0 = Tensor::Create(DataType::kFloat, {1}).value();
  Status st = (*s)->Run({{"v0", v0}}).status();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("does not terminate"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("'forever'"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace edgerun

namespace edgerun {
namespace {

TEST(SessionTest, NodeObserverSeesEveryNodeInOrder) {
  testing::ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {2}).Output("y", onnx::TensorProto::FLOAT, {2});
  b.Node("Identity", {"x"}, {"a"}, "first");
  b.Node("Identity", {"a"}, {"y"}, "second");
  std::vector<std::string> seen;
  int64_t last_end = 0;
  bool ordered = true;
  SessionOptions opts;
  opts.graph_optimization = "none";  // keep both Identity nodes
  opts.providers = {"cpu"};
  opts.node_observer = [&](const std::string& node, const std::string& op, int64_t start, int64_t end) {
    seen.push_back(node + ":" + op);
    if (start < last_end || end < start) ordered = false;
    last_end = end;
  };
  auto s = Session::CreateFromBytes(b.Bytes(), opts);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE((*s)->Run({{"x", Tensor::Create(DataType::kFloat, {2}).value()}}).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"first:Identity", "second:Identity"}));
  EXPECT_TRUE(ordered);
}

}  // namespace
}  // namespace edgerun

namespace edgerun {
namespace {

TEST(BadInputTest, OmittedRequiredInputIsRejectedBeforeRunning) {
  testing::ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {2}).Output("y", onnx::TensorProto::FLOAT, {2});
  b.Node("Add", {"x", ""}, {"y"}, "half_add");
  Status st = Session::CreateFromBytes(b.Bytes()).status();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("'half_add'"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("required input 1 is omitted"), std::string::npos) << st.ToString();
}

TEST(BadInputTest, WrongInputCountIsRejected) {
  testing::ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {2}).Output("y", onnx::TensorProto::FLOAT, {2});
  b.Node("Relu", {"x", "x", "x"}, {"y"}, "greedy_relu");
  Status st = Session::CreateFromBytes(b.Bytes()).status();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("has 3 inputs, the operator takes 1"), std::string::npos) << st.ToString();
}

TEST(BadInputTest, SequenceWhereATensorIsRequiredIsRejected) {
  testing::ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {2}).Output("y", onnx::TensorProto::FLOAT, {2});
  b.Node("SequenceConstruct", {"x"}, {"seq"}, "make_seq");
  b.Node("Relu", {"seq"}, {"y"}, "relu_of_seq");
  auto s = Session::CreateFromBytes(b.Bytes());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Status st = (*s)->Run({{"x", Tensor::Create(DataType::kFloat, {2}).value()}}).status();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("must be a tensor, got a sequence"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace edgerun
