// Tests for the model writer: IR -> ModelProto -> IR round trips keep nodes, attributes of every
// kind, subgraphs, initializers, types and opset imports; optimized models (with com.edgerun
// nodes) load back and compute the same outputs.
#include "onnx/model_writer.h"

#include <gtest/gtest.h>

#include "edgerun/session.h"
#include "model_builder.h"
#include "onnx/onnx_pb.h"
#include "passes/pass_test_util.h"
#include "passes/pipeline.h"

namespace edgerun::onnxio {
namespace {

using edgerun::testing::ModelBuilder;
using passes::testing::AttrFloat;
using passes::testing::AttrInt;
using passes::testing::AttrInts;
using passes::testing::RandomInitializer;
using passes::testing::RandomTensor;
constexpr int kFloat = onnx::TensorProto::FLOAT;

onnx::GraphProto Branch(const std::string& name, const std::string& op) {
  ModelBuilder b;
  b.graph().set_name(name);
  b.Output(name + "_out", kFloat, {2});
  b.Node(op, {"x"}, {name + "_out"});
  return b.graph();
}

// A model with every attribute kind the IR holds, an If with two subgraphs, a string
// initializer and value_info.
ModelBuilder RichModel() {
  ModelBuilder b;
  b.Input("x", kFloat, {2}).Input("cond", onnx::TensorProto::BOOL, {}).Output("y", kFloat, {2}).Output("s", onnx::TensorProto::STRING, {2});
  auto* st = b.graph().add_initializer();
  st->set_name("strings");
  st->set_data_type(onnx::TensorProto::STRING);
  st->add_dims(2);
  st->add_string_data("a");
  st->add_string_data("bc");
  auto& iff = b.Node("If", {"cond"}, {"branch"}, "if");
  auto* then_attr = iff.add_attribute();
  then_attr->set_name("then_branch");
  then_attr->set_type(onnx::AttributeProto::GRAPH);
  *then_attr->mutable_g() = Branch("then", "Neg");
  auto* else_attr = iff.add_attribute();
  else_attr->set_name("else_branch");
  else_attr->set_type(onnx::AttributeProto::GRAPH);
  *else_attr->mutable_g() = Branch("else", "Abs");
  auto& lr = b.Node("LeakyRelu", {"branch"}, {"lr"}, "leaky");
  AttrFloat(lr, "alpha", 0.25f);
  auto& c = b.Node("Constant", {}, {"k"}, "const");
  auto* ta = c.add_attribute();
  ta->set_name("value");
  ta->set_type(onnx::AttributeProto::TENSOR);
  ta->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
  ta->mutable_t()->add_dims(2);
  ta->mutable_t()->add_float_data(1.5f);
  ta->mutable_t()->add_float_data(-2.0f);
  b.Node("Mul", {"lr", "k"}, {"y"}, "mul");
  b.Node("Identity", {"strings"}, {"s"}, "strings_id");
  auto& extra = b.Node("Identity", {"x"}, {"unused"}, "with_attrs");
  auto* ss = extra.add_attribute();
  ss->set_name("tags");
  ss->set_type(onnx::AttributeProto::STRINGS);
  ss->add_strings("p");
  ss->add_strings("q");
  AttrInts(extra, "sizes", {1, 2, 3});
  AttrInt(extra, "flag", 7);
  auto* vi = b.graph().add_value_info();
  vi->set_name("lr");
  vi->mutable_type()->mutable_tensor_type()->set_elem_type(kFloat);
  vi->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_param("N");
  return b;
}

TEST(ModelWriterTest, RoundTripKeepsEverything) {
  ModelBuilder b = RichModel();
  auto m = LoadModelFromBytes(b.Bytes(), "");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto bytes = SerializeModel(*m);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto back = LoadModelFromBytes(*bytes, "");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  const ir::Graph& g0 = *m->graph;
  const ir::Graph& g1 = *back->graph;
  EXPECT_EQ(back->ir_version, m->ir_version);
  EXPECT_EQ(back->opsets, m->opsets);
  ASSERT_EQ(g1.nodes.size(), g0.nodes.size());
  for (size_t i = 0; i < g0.nodes.size(); ++i) {
    EXPECT_EQ(g1.nodes[i].name, g0.nodes[i].name);
    EXPECT_EQ(g1.nodes[i].op_type, g0.nodes[i].op_type);
    EXPECT_EQ(g1.nodes[i].inputs, g0.nodes[i].inputs);
    EXPECT_EQ(g1.nodes[i].outputs, g0.nodes[i].outputs);
    ASSERT_EQ(g1.nodes[i].attributes.size(), g0.nodes[i].attributes.size());
    for (const auto& [name, a] : g0.nodes[i].attributes) EXPECT_EQ(g1.nodes[i].attributes.at(name).type, a.type) << name;
  }
  const ir::Node& extra = g1.nodes.back();
  EXPECT_EQ(extra.GetStrings("tags"), (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(extra.GetInts("sizes"), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(extra.GetInt("flag", 0), 7);
  EXPECT_EQ(g1.nodes[1].GetFloat("alpha", 0), 0.25f);
  EXPECT_EQ(g1.nodes[0].FindAttribute("then_branch")->g->nodes[0].op_type, "Neg");
  EXPECT_EQ(g1.initializers.at("strings").strings()[1], "bc");
  ASSERT_EQ(g1.value_infos.size(), 1u);
  EXPECT_EQ(g1.value_infos[0].type.dims[0].symbol, "N");
  EXPECT_EQ(g1.inputs[1].type.dtype, DataType::kBool);

  Tensor cond = Tensor::Scalar<bool>(DataType::kBool, true);
  auto ref = Session::CreateFromBytes(b.Bytes());
  auto got = Session::CreateFromBytes(*bytes);
  ASSERT_TRUE(ref.ok() && got.ok());
  Tensor x = RandomTensor({2}, 1);
  auto r0 = (*ref)->Run({{"x", x}, {"cond", cond}});
  auto r1 = (*got)->Run({{"x", x}, {"cond", cond}});
  ASSERT_TRUE(r0.ok() && r1.ok());
  for (int i = 0; i < 2; ++i) EXPECT_EQ((*r0)[0].tensor.data<float>()[i], (*r1)[0].tensor.data<float>()[i]);
  EXPECT_EQ((*r1)[1].tensor.strings()[0], "a");
}

TEST(ModelWriterTest, OptimizedModelWithFusedConvLoadsBackAndComputesTheSame) {
  ModelBuilder b;
  b.Input("x", kFloat, {1, 4, 5, 5}).Output("y", kFloat, {1, 4, 5, 5});
  RandomInitializer(b, "w", {4, 4, 3, 3}, 1);
  AttrInts(b.Node("Conv", {"x", "w"}, {"c"}), "pads", {1, 1, 1, 1});
  b.Node("Add", {"c", "x"}, {"s"});
  b.Node("Relu", {"s"}, {"y"});
  auto m = LoadModelFromBytes(b.Bytes(), "");
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(passes::OptimizeGraph(*m->graph, passes::OptLevel::kAll).ok());
  auto bytes = SerializeModel(*m);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  onnx::ModelProto proto;
  ASSERT_TRUE(proto.ParseFromString(*bytes));
  bool has_domain = false;
  for (const auto& op : proto.opset_import()) has_domain = has_domain || (op.domain() == "com.edgerun" && op.version() == 1);
  EXPECT_TRUE(has_domain);
  ASSERT_EQ(proto.graph().node_size(), 1);
  EXPECT_EQ(proto.graph().node(0).domain(), "com.edgerun");
  EXPECT_EQ(proto.graph().initializer(0).data_location(), onnx::TensorProto::DEFAULT);
  EXPECT_TRUE(proto.graph().initializer(0).has_raw_data());

  SessionOptions none;
  none.graph_optimization = "none";
  auto ref = Session::CreateFromBytes(b.Bytes(), none);
  auto got = Session::CreateFromBytes(*bytes, none);
  ASSERT_TRUE(ref.ok() && got.ok()) << got.status().ToString();
  Tensor x = RandomTensor({1, 4, 5, 5}, 2);
  auto r0 = (*ref)->Run({{"x", x}});
  auto r1 = (*got)->Run({{"x", x}});
  ASSERT_TRUE(r0.ok() && r1.ok());
  for (int64_t i = 0; i < (*r0)[0].tensor.numel(); ++i) {
    EXPECT_NEAR((*r0)[0].tensor.data<float>()[i], (*r1)[0].tensor.data<float>()[i], 1e-5f);
  }
}

TEST(ModelWriterTest, LargeInitializersCanBeDeclaredInsteadOfWritten) {
  ModelBuilder b;
  b.Input("x", kFloat, {4}).Output("y", kFloat, {4});
  RandomInitializer(b, "w", {4}, 1);
  b.Node("Add", {"x", "w"}, {"y"});
  auto m = LoadModelFromBytes(b.Bytes(), "");
  ASSERT_TRUE(m.ok());
  WriteOptions wo;
  wo.max_initializer_elements = 2;
  onnx::ModelProto proto;
  ASSERT_TRUE(ModelToProto(*m, &proto, wo).ok());
  EXPECT_EQ(proto.graph().initializer_size(), 0);
  ASSERT_EQ(proto.graph().input_size(), 2);
  EXPECT_EQ(proto.graph().input(1).name(), "w");
  EXPECT_EQ(proto.graph().input(1).type().tensor_type().shape().dim(0).dim_value(), 4);
}

}  // namespace
}  // namespace edgerun::onnxio
