// Models whose weights live in external data files load from the model's directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/file.h"
#include "edgerun/session.h"
#include "model_builder.h"

namespace edgerun {
namespace {

namespace fs = std::filesystem;

TEST(ExternalDataTest, WeightsLoadFromFileBesideTheModel) {
  fs::path dir = fs::temp_directory_path() / ("edgerun_extdata_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  // 8 bytes of padding, then 3 floats.
  const float w[3] = {1.5f, -2.0f, 4.25f};
  std::string blob(8, 'x');
  blob.append(reinterpret_cast<const char*>(w), sizeof w);
  ASSERT_TRUE(WriteFileAtomically((dir / "weights.bin").string(), blob).ok());

  testing::ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {3}).Output("y", onnx::TensorProto::FLOAT, {3});
  auto& t = b.FloatInitializer("w", {3}, {});
  t.set_data_location(onnx::TensorProto::EXTERNAL);
  for (auto [k, v] : {std::pair<const char*, const char*>{"location", "weights.bin"}, {"offset", "8"}, {"length", "12"}}) {
    auto* kv = t.add_external_data();
    kv->set_key(k);
    kv->set_value(v);
  }
  b.Node("Identity", {"w"}, {"y"});
  ASSERT_TRUE(WriteFileAtomically((dir / "model.onnx").string(), b.Bytes()).ok());

  auto s = Session::CreateFromFile((dir / "model.onnx").string());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Tensor x = Tensor::Create(DataType::kFloat, {3}).value();
  auto out = (*s)->Run({{"x", x}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  for (int i = 0; i < 3; ++i) EXPECT_EQ((*out)[0].tensor.data<float>()[i], w[i]);

  // A length past the end of the file is reported, naming the tensor.
  t.mutable_external_data(2)->set_value("400");
  ASSERT_TRUE(WriteFileAtomically((dir / "model.onnx").string(), b.Bytes()).ok());
  auto bad = Session::CreateFromFile((dir / "model.onnx").string());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("tensor 'w'"), std::string::npos) << bad.status().ToString();
  EXPECT_NE(bad.status().message().find("past the end"), std::string::npos) << bad.status().ToString();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace edgerun
