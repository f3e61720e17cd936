// SplitRawData: the split model parses to the same model minus the raw data, the raw data views
// are the original bytes, loading through the split gives the same tensors, and anything the walk
// does not recognize is declined (never a crash) so that protobuf's own parse and errors apply.
#include "onnx/raw_data_split.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "model_builder.h"
#include "onnx/model_loader.h"
#include "onnx/onnx_pb.h"

namespace edgerun::onnxio {
namespace {

using testing::ModelBuilder;

// A model with raw-data initializers of `floats` floats each (and one float_data initializer,
// one empty raw_data and a subgraph-free Add chain), serialized.
std::string ModelWithRawData(int64_t floats, int count, std::vector<std::vector<float>>* values = nullptr) {
  ModelBuilder mb;
  mb.Input("x", onnx::TensorProto::FLOAT, {floats}).Output("y", onnx::TensorProto::FLOAT, {floats});
  std::string prev = "x";
  for (int i = 0; i < count; ++i) {
    std::vector<float> v(static_cast<size_t>(floats));
    for (int64_t k = 0; k < floats; ++k) v[static_cast<size_t>(k)] = static_cast<float>(k % 251) * 0.5f + static_cast<float>(i);
    auto* t = mb.graph().add_initializer();
    t->set_name("w" + std::to_string(i));
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_dims(floats);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
    t->set_doc_string("after raw_data");  // a field the split must keep
    if (values) values->push_back(v);
    const std::string out = i + 1 == count ? "y0" : "a" + std::to_string(i);
    mb.Node("Add", {prev, "w" + std::to_string(i)}, {out});
    prev = out;
  }
  mb.FloatInitializer("k", {floats}, std::vector<float>(static_cast<size_t>(floats), 2.0f));
  mb.Node("Mul", {prev, "k"}, {"y"});
  auto* empty = mb.graph().add_initializer();
  empty->set_name("unused_empty");
  empty->set_data_type(onnx::TensorProto::FLOAT);
  empty->add_dims(0);
  empty->set_raw_data("");
  mb.proto().set_producer_name("split-test");  // a ModelProto field after the graph
  return mb.Bytes();
}

TEST(RawDataSplitTest, SplitParsesToTheSameModelWithoutRawData) {
  const std::string bytes = ModelWithRawData(40000, 3);
  SplitModel split;
  ASSERT_TRUE(SplitRawData(bytes.data(), bytes.size(), &split));
  size_t raw_total = 0;
  for (const auto& r : split.raw_data) raw_total += r ? r->size() : 0;
  EXPECT_EQ(raw_total, size_t{3} * 40000 * sizeof(float));
  // Only the raw bytes and their tags and lengths are gone (a few bytes per initializer).
  EXPECT_LE(split.structure.size() + raw_total, bytes.size());
  EXPECT_GT(split.structure.size() + raw_total + 64, bytes.size());
  onnx::ModelProto original, structure;
  ASSERT_TRUE(original.ParseFromString(bytes));
  ASSERT_TRUE(structure.ParseFromString(split.structure));
  ASSERT_EQ(split.raw_data.size(), static_cast<size_t>(original.graph().initializer_size()));
  for (int i = 0; i < original.graph().initializer_size(); ++i) {
    const onnx::TensorProto& a = original.graph().initializer(i);
    const onnx::TensorProto& b = structure.graph().initializer(i);
    SCOPED_TRACE(a.name());
    EXPECT_FALSE(b.has_raw_data());
    ASSERT_EQ(split.raw_data[static_cast<size_t>(i)].has_value(), a.has_raw_data());
    if (a.has_raw_data()) {
      const std::string_view view = *split.raw_data[static_cast<size_t>(i)];
      EXPECT_EQ(view, a.raw_data());
      EXPECT_GE(view.data(), bytes.data());  // a view into the original bytes, not a copy
      EXPECT_LE(view.data() + view.size(), bytes.data() + bytes.size());
    }
    onnx::TensorProto a_without = a;
    a_without.clear_raw_data();
    EXPECT_EQ(a_without.SerializeAsString(), b.SerializeAsString());
  }
  onnx::ModelProto original_without = original;
  for (auto& t : *original_without.mutable_graph()->mutable_initializer()) t.clear_raw_data();
  EXPECT_EQ(original_without.SerializeAsString(), structure.SerializeAsString());
}

TEST(RawDataSplitTest, LoadingThroughTheSplitGivesTheSameTensors) {
  std::vector<std::vector<float>> values;
  const std::string bytes = ModelWithRawData(30000, 2, &values);
  SplitModel split;
  ASSERT_TRUE(SplitRawData(bytes.data(), bytes.size(), &split));  // so the load below takes the split
  auto m = LoadModelFromArray(bytes.data(), bytes.size(), "");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  for (size_t i = 0; i < values.size(); ++i) {
    const Tensor& t = m->graph->initializers.at("w" + std::to_string(i));
    ASSERT_EQ(t.numel(), static_cast<int64_t>(values[i].size()));
    EXPECT_EQ(std::memcmp(t.data<float>(), values[i].data(), values[i].size() * sizeof(float)), 0);
  }
  EXPECT_EQ(m->graph->initializers.at("k").data<float>()[123], 2.0f);
  EXPECT_EQ(m->graph->initializers.at("unused_empty").numel(), 0);
  EXPECT_EQ(m->producer_name, "split-test");
}

TEST(RawDataSplitTest, RawDataOfTheWrongSizeIsStillCorruption) {
  ModelBuilder mb;
  mb.Input("x", onnx::TensorProto::FLOAT, {100000}).Output("y", onnx::TensorProto::FLOAT, {100000});
  auto* t = mb.graph().add_initializer();
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(100000);
  t->set_raw_data(std::string(100000 * 4 - 4, '\0'));  // one float short
  mb.Node("Add", {"x", "w"}, {"y"});
  const std::string bytes = mb.Bytes();
  SplitModel split;
  ASSERT_TRUE(SplitRawData(bytes.data(), bytes.size(), &split));
  auto m = LoadModelFromArray(bytes.data(), bytes.size(), "");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("raw data holds 399996"), std::string::npos) << m.status().ToString();
  EXPECT_NE(m.status().message().find("'w'"), std::string::npos) << m.status().ToString();
}

TEST(RawDataSplitTest, DeclinesWhatItDoesNotRecognize) {
  SplitModel split;
  EXPECT_FALSE(SplitRawData(nullptr, 0, &split));
  const std::string small = ModelWithRawData(100, 2);  // under the size worth splitting
  EXPECT_FALSE(SplitRawData(small.data(), small.size(), &split));
  const std::string bytes = ModelWithRawData(40000, 1);
  // Truncated anywhere: declined or split, never out of bounds (ASan runs this); the load then
  // fails with protobuf's error as before.
  for (size_t cut = 1; cut < bytes.size(); cut += cut < 200 ? 1 : 4093) {
    const bool ok = SplitRawData(bytes.data(), cut, &split);
    if (ok) {
      for (const auto& r : split.raw_data) {
        if (r) {
          EXPECT_GE(r->data(), bytes.data());
          EXPECT_LE(r->data() + r->size(), bytes.data() + cut);
        }
      }
    }
    auto m = LoadModelFromArray(bytes.data(), cut, "");
    EXPECT_FALSE(m.ok()) << "cut at " << cut;
  }
  // The graph field twice (protobuf merges them): declined, and protobuf's merge still loads.
  onnx::ModelProto twice;
  ASSERT_TRUE(twice.ParseFromString(bytes));
  onnx::ModelProto second;
  *second.mutable_graph()->add_initializer() = twice.graph().initializer(0);
  second.mutable_graph()->mutable_initializer(0)->set_name("w_extra");
  const std::string merged = bytes + second.SerializeAsString();
  EXPECT_FALSE(SplitRawData(merged.data(), merged.size(), &split));
  auto m = LoadModelFromArray(merged.data(), merged.size(), "");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->graph->initializers.count("w_extra"), 1u);
  // A group wire type (3) at the top level: declined.
  const std::string group = bytes + std::string("\x0b", 1);  // field 1, start group
  EXPECT_FALSE(SplitRawData(group.data(), group.size(), &split));
  // raw_data (field 9) with a varint wire type inside an initializer: declined.
  onnx::ModelProto bad;
  ASSERT_TRUE(bad.ParseFromString(bytes));
  bad.mutable_graph()->mutable_initializer(0)->mutable_unknown_fields()->AddVarint(9, 5);
  const std::string odd = bad.SerializeAsString();
  EXPECT_FALSE(SplitRawData(odd.data(), odd.size(), &split));
}

}  // namespace
}  // namespace edgerun::onnxio
