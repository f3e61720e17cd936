// Parity of the XNNPACK provider against the reference kernels for the elementwise, dense and
// layout-sensitive operators, a multi-node chain planned as one partition, re-planning on a shape
// change, concurrent runs, the reference fallback and the claims it must decline.
#include <atomic>
#include <cstring>
#include <thread>

#include "kernels/xnnpack/xnnpack_test_util.h"

namespace edgerun::xnn_test {
namespace {

std::string BinaryModel(const std::string& op, const Shape& a, const Shape& b, bool b_const) {
  ModelBuilder mb;
  mb.Input("a", kFloat, a).Output("y", kFloat, std::vector<int64_t>(std::max(a.size(), b.size()), -1));
  if (b_const) {
    Weights(mb, "b", b, 11);
  } else {
    mb.Input("b", kFloat, b);
  }
  mb.Node(op, {"a", "b"}, {"y"});
  return mb.Bytes();
}

TEST(XnnpackParityTest, BinaryOpsSameShapeAndChannelBroadcast) {
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
    for (int64_t c : {1, 3, 16}) {
      const Shape x = {2, c, 5, 3};
      SCOPED_TRACE(std::string(op) + " c=" + std::to_string(c));
      ExpectParity(BinaryModel(op, x, x, false), {RandomInput("a", x, 1), RandomInput("b", x, 2)});
      ExpectParity(BinaryModel(op, x, {c, 1, 1}, true), {RandomInput("a", x, 1)});
      ExpectParity(BinaryModel(op, x, {1, c, 1, 1}, true), {RandomInput("a", x, 1)});
      ExpectParity(BinaryModel(op, x, {}, true), {RandomInput("a", x, 1)});
      ExpectParity(BinaryModel(op, x, {3}, true), {RandomInput("a", x, 1)});
      ExpectParity(BinaryModel(op, {4, c}, {c}, true), {RandomInput("a", {4, c}, 1)});
    }
  }
}

TEST(XnnpackParityTest, UnaryActivations) {
  const Shape x = {1, 5, 4, 3};
  for (const char* op : {"Relu", "Sigmoid", "HardSwish", "LeakyRelu"}) {
    ModelBuilder mb(14);
    mb.Input("x", kFloat, x).Output("y", kFloat, {-1, -1, -1, -1});
    auto& node = mb.Node(op, {"x"}, {"y"});
    if (std::string(op) == "LeakyRelu") AttrFloat(node, "alpha", 0.3f);
    SCOPED_TRACE(op);
    ExpectParity(mb.Bytes(), {RandomInput("x", x, 4)});
  }
  {  // Clip with constant inputs (opset 13) and with attributes (opset 6).
    ModelBuilder mb;
    mb.Input("x", kFloat, x).Output("y", kFloat, {-1, -1, -1, -1});
    mb.FloatInitializer("lo", {}, {-0.25f});
    mb.FloatInitializer("hi", {}, {0.5f});
    mb.Node("Clip", {"x", "lo", "hi"}, {"y"});
    ExpectParity(mb.Bytes(), {RandomInput("x", x, 4)});
    ModelBuilder mb6(6);
    mb6.Input("x", kFloat, x).Output("y", kFloat, {-1, -1, -1, -1});
    auto& n6 = mb6.Node("Clip", {"x"}, {"y"});
    AttrFloat(n6, "min", 0.0f);
    AttrFloat(n6, "max", 6.0f);
    ExpectParity(mb6.Bytes(), {RandomInput("x", x, 4)});
  }
}

TEST(XnnpackParityTest, GemmAndMatMul) {
  for (int64_t trans_b : {0, 1}) {
    for (const Shape& bias : {Shape{}, Shape{7}, Shape{1, 7}, Shape{1}}) {
      for (float alpha : {0.5f, 1.0f}) {  // 1: XNNPACK packs B as stored (transposing it for transB = 0)
        ModelBuilder mb;
        mb.Input("a", kFloat, {3, 10}).Output("y", kFloat, {-1, -1});
        Weights(mb, "b", trans_b ? Shape{7, 10} : Shape{10, 7}, 2);
        Weights(mb, "c", bias, 3);
        auto& node = mb.Node("Gemm", {"a", "b", "c"}, {"y"});
        AttrInt(node, "transB", trans_b);
        AttrFloat(node, "alpha", alpha);
        AttrFloat(node, "beta", 2.0f);
        SCOPED_TRACE("transB " + std::to_string(trans_b) + " alpha " + std::to_string(alpha));
        ExpectParity(mb.Bytes(), {RandomInput("a", {3, 10}, 1)});
      }
    }
  }
  for (const Shape& a : {Shape{5, 9}, Shape{9}}) {
    ModelBuilder mb;
    mb.Input("a", kFloat, a).Output("y", kFloat, std::vector<int64_t>(a.size(), -1));
    Weights(mb, "b", {9, 13}, 2);
    mb.Node("MatMul", {"a", "b"}, {"y"});
    ExpectParity(mb.Bytes(), {RandomInput("a", a, 1)});
  }
}

// One activation row (batch 1) reads B in place (the Gemv step in xnnpack_dense.cc): inner and
// output sizes around its 8-float vectors and 4-output blocks, both B layouts, every bias shape,
// beta, and a Relu folded in as its clamp; alpha != 1 takes XNNPACK's packed path.
TEST(XnnpackParityTest, OneRowGemmReadsBInPlace) {
  uint32_t seed = 40;
  for (int64_t k : {1, 7, 8, 33, 100}) {
    for (int64_t cols : {1, 3, 4, 5, 17}) {
      const int64_t trans_b = (k + cols) % 2;
      const Shape bias = (k * cols) % 4 == 0 ? Shape{} : (k * cols) % 4 == 1 ? Shape{cols} : (k * cols) % 4 == 2 ? Shape{1, cols} : Shape{1};
      ModelBuilder mb;
      mb.Input("a", kFloat, {1, k}).Output("y", kFloat, {-1, -1});
      Weights(mb, "b", trans_b ? Shape{cols, k} : Shape{k, cols}, ++seed);
      Weights(mb, "c", bias, ++seed);
      auto& node = mb.Node("Gemm", {"a", "b", "c"}, {"g"});
      AttrInt(node, "transB", trans_b);
      AttrFloat(node, "beta", cols % 2 ? 1.0f : 0.5f);
      mb.Node("Relu", {"g"}, {"y"});
      SCOPED_TRACE("k " + std::to_string(k) + " cols " + std::to_string(cols) + " transB " + std::to_string(trans_b));
      ExpectParity(mb.Bytes(), {RandomInput("a", {1, k}, seed)}, {.expect_partitions = 1});
    }
  }
  {  // A three-layer MLP on one row, MatMul + Add + Relu as exported.
    ModelBuilder mb;
    mb.Input("x", kFloat, {1, 12}).Output("y", kFloat, {-1, -1});
    Weights(mb, "w1", {12, 32}, 1);
    Weights(mb, "b1", {32}, 2);
    Weights(mb, "w2", {32, 16}, 3);
    Weights(mb, "w3", {16, 4}, 4);
    mb.Node("MatMul", {"x", "w1"}, {"h1"});
    mb.Node("Add", {"h1", "b1"}, {"h2"});
    mb.Node("Relu", {"h2"}, {"h3"});
    mb.Node("MatMul", {"h3", "w2"}, {"h4"});
    mb.Node("Relu", {"h4"}, {"h5"});
    mb.Node("MatMul", {"h5", "w3"}, {"y"});
    for (int threads : {1, 2}) {
      ParityOptions o;
      o.threads = threads;
      o.expect_partitions = 1;
      ExpectParity(mb.Bytes(), {RandomInput("x", {1, 12}, 9)}, o);
    }
  }
}

TEST(XnnpackParityTest, ConcatSoftmaxPadFlattenReshape) {
  {  // Concat of two convs (written in place) and of a graph input (copied), then Relu.
    ModelBuilder mb;
    mb.Input("x", kFloat, {1, 3, 5, 5}).Output("y", kFloat, {-1, -1, -1, -1});
    Weights(mb, "w1", {4, 3, 1, 1}, 1);
    Weights(mb, "w2", {5, 3, 3, 3}, 2);
    mb.Node("Conv", {"x", "w1"}, {"c1"});
    auto& c2 = mb.Node("Conv", {"x", "w2"}, {"c2"});
    AttrInts(c2, "pads", {1, 1, 1, 1});
    mb.Node("Relu", {"c1"}, {"r1"});
    auto& cat = mb.Node("Concat", {"r1", "c2", "x"}, {"cat"});
    AttrInt(cat, "axis", 1);
    mb.Node("Relu", {"cat"}, {"y"});
    ExpectParity(mb.Bytes(), {RandomInput("x", {1, 3, 5, 5}, 3)}, {.expect_partitions = 1});
  }
  {  // Softmax over the last axis of a 2D value (opset 11 and 13) and over channels (opset 13).
    for (int opset : {11, 13}) {
      ModelBuilder mb(opset);
      mb.Input("x", kFloat, {3, 10}).Output("y", kFloat, {-1, -1});
      mb.Node("Softmax", {"x"}, {"y"});
      ExpectParity(mb.Bytes(), {RandomInput("x", {3, 10}, 3)});
    }
    {  // Over channels after a convolution (channels-last plans: the channel axis is physically last).
      ModelBuilder mb(13);
      mb.Input("x", kFloat, {2, 6, 3, 4}).Output("y", kFloat, {-1, -1, -1, -1});
      Weights(mb, "w", {6, 6, 1, 1}, 4);
      mb.Node("Conv", {"x", "w"}, {"c"});
      auto& sm = mb.Node("Softmax", {"c"}, {"y"});
      AttrInt(sm, "axis", 1);
      ExpectParity(mb.Bytes(), {RandomInput("x", {2, 6, 3, 4}, 3)}, {.expect_partitions = 1});
    }
    {  // Over the last axis of a 4D value in a graph without feature maps (plain layout).
      ModelBuilder mb(13);
      mb.Input("x", kFloat, {2, 6, 3, 4}).Output("y", kFloat, {-1, -1, -1, -1});
      mb.Node("Softmax", {"x"}, {"y"});
      ExpectParity(mb.Bytes(), {RandomInput("x", {2, 6, 3, 4}, 3)}, {.expect_partitions = 1});
    }
  }
  {  // Pad (constant) with a value, opset 13 inputs.
    ModelBuilder mb;
    mb.Input("x", kFloat, {1, 3, 4, 5}).Output("y", kFloat, {-1, -1, -1, -1});
    Int64Initializer(mb, "pads", {0, 1, 2, 0, 0, 2, 1, 3});
    mb.FloatInitializer("v", {}, {0.75f});
    mb.Node("Pad", {"x", "pads", "v"}, {"y"});
    ExpectParity(mb.Bytes(), {RandomInput("x", {1, 3, 4, 5}, 3)});
  }
  {  // GlobalAveragePool -> Flatten and -> Reshape at the 4D -> 2D border.
    for (const char* op : {"Flatten", "Reshape"}) {
      ModelBuilder mb;
      mb.Input("x", kFloat, {2, 6, 3, 3}).Output("y", kFloat, {-1, -1});
      mb.Node("GlobalAveragePool", {"x"}, {"g"});
      if (std::string(op) == "Flatten") {
        mb.Node("Flatten", {"g"}, {"y"});
      } else {
        Int64Initializer(mb, "shape", {0, -1});
        mb.Node("Reshape", {"g", "shape"}, {"y"});
      }
      ExpectParity(mb.Bytes(), {RandomInput("x", {2, 6, 3, 3}, 3)}, {.expect_partitions = 1});
    }
  }
}

std::string ChainModel(const Shape& in) {
  // Conv -> Clip -> depthwise Conv -> Add residual -> GlobalAveragePool -> Flatten -> Gemm.
  ModelBuilder mb;
  mb.Input("x", kFloat, in).Output("y", kFloat, {-1, -1});
  Weights(mb, "w1", {8, 3, 3, 3}, 1);
  Weights(mb, "b1", {8}, 2);
  Weights(mb, "w2", {8, 1, 3, 3}, 3);
  Weights(mb, "b2", {8}, 4);
  Weights(mb, "fc", {10, 8}, 5);
  Weights(mb, "fcb", {10}, 6);
  mb.FloatInitializer("lo", {}, {0.0f});
  mb.FloatInitializer("hi", {}, {6.0f});
  auto& c1 = mb.Node("Conv", {"x", "w1", "b1"}, {"c1"});
  AttrInts(c1, "pads", {1, 1, 1, 1});
  mb.Node("Clip", {"c1", "lo", "hi"}, {"r1"});
  auto& c2 = mb.Node("Conv", {"r1", "w2", "b2"}, {"c2"});
  AttrInts(c2, "pads", {1, 1, 1, 1});
  AttrInt(c2, "group", 8);
  mb.Node("Add", {"c2", "r1"}, {"s"});
  mb.Node("GlobalAveragePool", {"s"}, {"g"});
  mb.Node("Flatten", {"g"}, {"f"});
  auto& gemm = mb.Node("Gemm", {"f", "fc", "fcb"}, {"y"});
  AttrInt(gemm, "transB", 1);
  return mb.Bytes();
}

TEST(XnnpackParityTest, ChainIsOnePartition) {
  const std::string bytes = ChainModel({1, 3, 9, 7});
  ExpectParity(bytes, {RandomInput("x", {1, 3, 9, 7}, 1)}, {.expect_partitions = 1});
  ExpectParity(bytes, {RandomInput("x", {1, 3, 9, 7}, 1)}, {.optimization = "all", .expect_partitions = 1});
  ExpectParity(bytes, {RandomInput("x", {1, 3, 9, 7}, 1)}, {.threads = 2, .expect_partitions = 1});
}

// A graph without feature maps keeps ONNX's layout in its plans (PlainLayoutGraph): an attention
// block over [N, T, D] (MatMul on rank-3 activations, Reshape to heads, Softmax over the last
// axis, residual Add with a rank-broadcast bias) is one partition, on 1 and 2 threads.
TEST(XnnpackParityTest, PlainLayoutAttentionBlockIsOnePartition) {
  ModelBuilder mb(13);
  mb.Input("x", kFloat, {2, 10, 8}).Output("y", kFloat, {-1, -1, -1});
  Weights(mb, "wq", {8, 12}, 1);
  Weights(mb, "bq", {12}, 2);
  Weights(mb, "wo", {12, 8}, 3);
  Weights(mb, "g", {1, 1, 8}, 4);
  Int64Initializer(mb, "heads", {2, 10, 3, 4});
  Int64Initializer(mb, "flat", {2, 10, 12});
  mb.Node("MatMul", {"x", "wq"}, {"q"});
  mb.Node("Add", {"q", "bq"}, {"qb"});
  mb.Node("Reshape", {"qb", "heads"}, {"h"});
  mb.Node("Softmax", {"h"}, {"p"});
  mb.Node("Reshape", {"p", "flat"}, {"f"});
  mb.Node("MatMul", {"f", "wo"}, {"o"});
  mb.Node("Mul", {"o", "g"}, {"og"});
  mb.Node("Add", {"og", "x"}, {"y"});
  for (int threads : {1, 2}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    ParityOptions o;
    o.threads = threads;
    o.expect_partitions = 1;
    ExpectParity(mb.Bytes(), {RandomInput("x", {2, 10, 8}, 5)}, o);
  }
}

TEST(XnnpackParityTest, ShapeChangeReplans) {
  const std::string bytes = ChainModel({-1, 3, -1, -1});
  SessionOptions ref_opts;
  ref_opts.providers = {"cpu"};
  ref_opts.graph_optimization = "none";
  auto ref = Session::CreateFromBytes(bytes, ref_opts);
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  SessionOptions x_opts = ref_opts;
  x_opts.providers = {"xnnpack", "cpu"};
  auto fast = Session::CreateFromBytes(bytes, x_opts);
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  const int64_t before = xnn::FallbackRuns();
  for (const Shape& s : {Shape{1, 3, 9, 7}, Shape{2, 3, 5, 11}, Shape{2, 3, 5, 11}, Shape{1, 3, 1, 1}, Shape{1, 3, 9, 7}}) {
    auto feeds = std::vector<NamedTensor>{RandomInput("x", s, static_cast<uint32_t>(s[2]))};
    auto want = (*ref)->Run(feeds);
    auto got = (*fast)->Run(feeds);
    ASSERT_TRUE(want.ok() && got.ok());
    ASSERT_EQ((*want)[0].tensor.shape(), (*got)[0].tensor.shape());
    for (int64_t k = 0; k < (*want)[0].tensor.numel(); ++k) {
      const float x = (*want)[0].tensor.data<float>()[k], y = (*got)[0].tensor.data<float>()[k];
      EXPECT_NEAR(x, y, 1e-4f * std::max(1.0f, std::fabs(x))) << "shape " << ShapeToString(s) << " element " << k;
    }
  }
  EXPECT_EQ(xnn::FallbackRuns(), before);
}

TEST(XnnpackParityTest, ConcurrentRunsAgree) {
  const std::string bytes = ChainModel({1, 3, 9, 7});
  auto fast = ExpectParity(bytes, {RandomInput("x", {1, 3, 9, 7}, 1)});
  ASSERT_NE(fast, nullptr);
  auto expected = fast->Run({RandomInput("x", {1, 3, 9, 7}, 1)});
  ASSERT_TRUE(expected.ok());
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        auto got = fast->Run({RandomInput("x", {1, 3, 9, 7}, 1)});
        if (!got.ok() || std::memcmp((*got)[0].tensor.raw(), (*expected)[0].tensor.raw(), (*expected)[0].tensor.nbytes()) != 0) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// Flatten (and Reshape to rank 2) of a feature map with several pixels: the plan copies the NHWC
// value into ONNX's NCHW order (as fashion_cnn's classifier needs).
TEST(XnnpackParityTest, FlattenOfFeatureMapCopiesToOnnxOrder) {
  for (const char* op : {"Flatten", "Reshape"}) {
    for (int64_t batch : {1, 2}) {
      SCOPED_TRACE(std::string(op) + " batch " + std::to_string(batch));
      ModelBuilder mb;
      mb.Input("x", kFloat, {batch, 3, 4, 5}).Output("y", kFloat, {-1, -1});
      Weights(mb, "w", {6, 3, 1, 1}, 1);
      mb.Node("Conv", {"x", "w"}, {"c"});
      if (std::string(op) == "Flatten") {
        mb.Node("Flatten", {"c"}, {"f"});
      } else {
        Int64Initializer(mb, "shape", {batch, -1});
        mb.Node("Reshape", {"c", "shape"}, {"f"});
      }
      Weights(mb, "fc", {120, 5}, 2);
      mb.Node("MatMul", {"f", "fc"}, {"y"});
      ExpectParity(mb.Bytes(), {RandomInput("x", {batch, 3, 4, 5}, 3)}, {.expect_partitions = 1});
    }
  }
}

TEST(XnnpackParityTest, UnmappableShapesFallBackToReference) {
  // Reshape of a 4D value with several pixels to rank 3 needs NCHW order in a layout the plan does
  // not keep: claimed, then planned on the reference kernels for these shapes; still right.
  ModelBuilder mb;
  mb.Input("x", kFloat, {1, 3, 4, 4}).Output("y", kFloat, {-1, -1, -1});
  Weights(mb, "w", {4, 3, 1, 1}, 1);
  mb.Node("Conv", {"x", "w"}, {"c"});
  Int64Initializer(mb, "shape", {1, 4, 16});
  mb.Node("Reshape", {"c", "shape"}, {"f"});
  mb.Node("Relu", {"f"}, {"y"});
  ExpectParity(mb.Bytes(), {RandomInput("x", {1, 3, 4, 4}, 3)}, {.expect_fallback = true});
}

TEST(XnnpackParityTest, DeclinesIntegerTensorsAndOtherConcatAxes) {
  {  // int64 arithmetic stays on the reference kernels.
    ModelBuilder mb;
    mb.Input("a", onnx::TensorProto::INT64, {2, 3}).Input("b", onnx::TensorProto::INT64, {2, 3});
    mb.Output("y", onnx::TensorProto::INT64, {-1, -1});
    mb.Node("Add", {"a", "b"}, {"y"});
    SessionOptions o;
    o.providers = {"xnnpack", "cpu"};
    int partitions = 0;
    o.node_observer = [&partitions](const std::string&, const std::string& op, int64_t, int64_t) {
      if (op == "xnnpackPartition") ++partitions;
    };
    auto s = Session::CreateFromBytes(mb.Bytes(), o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    Tensor a = Tensor::Create(DataType::kInt64, {2, 3}).value();
    for (int64_t i = 0; i < 6; ++i) a.data<int64_t>()[i] = i;
    auto out = (*s)->Run({{"a", a}, {"b", a}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ((*out)[0].tensor.data<int64_t>()[5], 10);
    EXPECT_EQ(partitions, 0);
  }
  {  // Concat along H (declared rank 4) is declined; the convs around it still run on XNNPACK.
    ModelBuilder mb;
    mb.Input("x", kFloat, {1, 3, 4, 4}).Output("y", kFloat, {-1, -1, -1, -1});
    Weights(mb, "w", {2, 3, 1, 1}, 1);
    mb.Node("Conv", {"x", "w"}, {"c"});
    auto* vi = mb.graph().add_value_info();
    vi->set_name("c");
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(kFloat);
    for (int64_t d : {1, 2, 4, 4}) vi->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
    auto& cat = mb.Node("Concat", {"c", "c"}, {"y"});
    AttrInt(cat, "axis", 2);
    ExpectParity(mb.Bytes(), {RandomInput("x", {1, 3, 4, 4}, 3)}, {.expect_partitions = 1});
  }
}

}  // namespace
}  // namespace edgerun::xnn_test
