// Tests for the fallback static shape propagation: at opset 18, which ONNX's shape inference in
// libonnx 1.12 does not know, shapes still reach the passes that need them.
#include "passes/static_shapes.h"

#include "passes/pass_test_util.h"

namespace edgerun::passes {
namespace {

using namespace testing;

TEST(StaticShapesTest, DerivesShapesThroughCommonOps) {
  ModelBuilder b(18);
  b.Input("x", kFloat, {2, 3, 8, 8}).Output("y", kFloat, {-1, -1});
  RandomInitializer(b, "w", {4, 3, 3, 3}, 1);
  auto& conv = b.Node("Conv", {"x", "w"}, {"c"});
  AttrInts(conv, "strides", {2, 2});
  AttrInts(conv, "pads", {1, 1, 1, 1});
  b.Node("Relu", {"c"}, {"r"});
  auto& pool = b.Node("MaxPool", {"r"}, {"p"});
  AttrInts(pool, "kernel_shape", {2, 2});
  AttrInts(pool, "strides", {2, 2});
  b.Node("Flatten", {"p"}, {"f"});
  RandomInitializer(b, "m", {16, 5}, 2);
  b.Node("MatMul", {"f", "m"}, {"mm"});
  AttrInts(b.Node("Transpose", {"mm"}, {"y"}), "perm", {1, 0});
  ir::Graph g = LoadGraph(b.Bytes());
  std::map<std::string, ir::TypeInfo> types;
  for (const auto& vi : g.inputs) types[vi.name] = vi.type;
  PropagateStaticShapes(g, &types);
  PassContext ctx;
  ctx.types = types;
  EXPECT_EQ(ctx.StaticShape(g, "c"), (Shape{2, 4, 4, 4}));
  EXPECT_EQ(ctx.StaticShape(g, "p"), (Shape{2, 4, 2, 2}));
  EXPECT_EQ(ctx.StaticShape(g, "f"), (Shape{2, 16}));
  EXPECT_EQ(ctx.StaticShape(g, "mm"), (Shape{2, 5}));
  EXPECT_EQ(ctx.StaticShape(g, "y"), (Shape{5, 2}));
}

TEST(StaticShapesTest, ReduceAndResize) {
  for (int opset : {13, 18}) {
    ModelBuilder b(opset);
    b.Input("x", kFloat, {1, 3, 7, 5}).Output("y", kFloat, {-1, -1, -1, -1});
    if (opset >= 18) {
      Int64Initializer(b, "axes", {2}, {2, -1});
      b.Node("ReduceMean", {"x", "axes"}, {"m"});
      AttrInt(b.Node("ReduceMax", {"x", "axes"}, {"m0"}), "keepdims", 0);
      b.Node("ReduceL2", {"x"}, {"all"});  // no axes: every axis
    } else {
      AttrInts(b.Node("ReduceMean", {"x"}, {"m"}), "axes", {2, -1});
      AttrInt(b.Node("ReduceMax", {"x"}, {"m0"}), "keepdims", 0);
      b.Node("ReduceL2", {"x"}, {"all"});
    }
    b.Node("ReduceSum", {"x"}, {"s"});  // opset 13+: axes input omitted, so every axis
    b.FloatInitializer("scales", {4}, {1.0f, 1.0f, 2.5f, 0.5f});
    Int64Initializer(b, "sizes", {4}, {1, 3, 9, 11});
    b.graph().add_initializer()->set_name("empty");  // an empty roi/scales
    auto* e = b.graph().mutable_initializer(b.graph().initializer_size() - 1);
    e->set_data_type(onnx::TensorProto::FLOAT);
    e->add_dims(0);
    b.Node("Resize", {"x", "", "scales"}, {"up"});
    b.Node("Resize", {"x", "empty", "empty", "sizes"}, {"sized"});
    b.Node("Identity", {"up"}, {"y"});
    ir::Graph g = LoadGraph(b.Bytes());
    std::map<std::string, ir::TypeInfo> types;
    for (const auto& vi : g.inputs) types[vi.name] = vi.type;
    PropagateStaticShapes(g, &types);
    PassContext ctx;
    ctx.types = types;
    SCOPED_TRACE("opset " + std::to_string(opset));
    EXPECT_EQ(ctx.StaticShape(g, "m"), (Shape{1, 3, 1, 1}));
    EXPECT_EQ(ctx.StaticShape(g, "m0"), (opset >= 18 ? Shape{1, 3} : Shape{}));  // keepdims 0
    EXPECT_EQ(ctx.StaticShape(g, "all"), (Shape{1, 1, 1, 1}));
    EXPECT_EQ(ctx.StaticShape(g, "s"), (Shape{1, 1, 1, 1}));
    EXPECT_EQ(ctx.StaticShape(g, "up"), (Shape{1, 3, 17, 2}));  // floor(7 * 2.5), floor(5 * 0.5)
    EXPECT_EQ(ctx.StaticShape(g, "sized"), (Shape{1, 3, 9, 11}));
  }
}

// Declared dims come from the model: products that overflow leave the value unknown (found by
// the fuzzer: a Reshape of a [2^62, 3, ...] input).
TEST(StaticShapesTest, OverflowingProductsLeaveShapesUnknown) {
  ModelBuilder b;
  const int64_t huge = int64_t{1} << 62;
  b.Input("x", kFloat, {huge, 3}).Output("y", kFloat, {-1, -1});
  Int64Initializer(b, "shape", {2}, {-1, 1});
  b.Node("Reshape", {"x", "shape"}, {"r"});
  AttrInt(b.Node("Flatten", {"x"}, {"f0"}), "axis", 0);
  b.Node("Flatten", {"x"}, {"y"});
  ir::Graph g = LoadGraph(b.Bytes());
  std::map<std::string, ir::TypeInfo> types;
  for (const auto& vi : g.inputs) types[vi.name] = vi.type;
  PropagateStaticShapes(g, &types);
  PassContext ctx;
  ctx.types = types;
  EXPECT_EQ(ctx.StaticShape(g, "r"), std::nullopt);
  EXPECT_EQ(ctx.StaticShape(g, "f0"), std::nullopt);    // [1, 3 * 2^62]
  EXPECT_EQ(ctx.StaticShape(g, "y"), (Shape{huge, 3}));  // axis 1: no product overflows
}

TEST(StaticShapesTest, ResidualFusionAndShapeFoldingWorkAtOpset18) {
  ModelBuilder b(18);
  b.Input("x", kFloat, {1, 4, 5, 5}).Output("y", kFloat, {-1, -1});
  RandomInitializer(b, "w", {4, 4, 3, 3}, 1);
  AttrInts(b.Node("Conv", {"x", "w"}, {"c"}), "pads", {1, 1, 1, 1});
  b.Node("Add", {"c", "x"}, {"s"});
  b.Node("Relu", {"s"}, {"r"});
  Int64Initializer(b, "zero", {}, {0});
  Int64Initializer(b, "axes", {1}, {0});
  Int64Initializer(b, "minus_one", {1}, {-1});
  b.Node("Shape", {"r"}, {"shape"});
  b.Node("Gather", {"shape", "zero"}, {"n"});
  b.Node("Unsqueeze", {"n", "axes"}, {"n1"});
  AttrInt(b.Node("Concat", {"n1", "minus_one"}, {"target"}), "axis", 0);
  b.Node("Reshape", {"r", "target"}, {"y"});
  ir::Graph g = Optimize(b.Bytes());
  EXPECT_EQ(CountOp(g, "Shape"), 0);
  EXPECT_EQ(CountOp(g, "FusedConv"), 1);
  EXPECT_EQ(g.nodes.size(), 2u);  // FusedConv + Reshape
  ExpectSameOutputs(b.Bytes(), {{"x", RandomTensor({1, 4, 5, 5}, 3)}});
}

}  // namespace
}  // namespace edgerun::passes
