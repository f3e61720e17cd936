#include "data/dataset.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/file.h"
#include "core/npy.h"
#include "edgerun/session.h"
#include "onnx/tensor_proto.h"

namespace edgerun::data {
namespace {

namespace fs = std::filesystem;

TEST(DatasetTest, ZooDataSplitWithLabelsRunsThroughTheModel) {
  const fs::path dir = fs::path(EDGERUN_SOURCE_DIR) / "models" / "sensor_mlp";
  auto d = LoadDataset((dir / "data").string());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_GT(d->size(), 100u);
  ASSERT_TRUE(d->has_labels());
  auto s = Session::CreateFromFile((dir / "model.onnx").string());
  ASSERT_TRUE(s.ok());
  // Accuracy over the first 200 samples: the model was trained to ~99%, so a broken reader
  // (wrong sample stride, wrong label order) would land near chance (25%).
  int correct = 0;
  const size_t n = 200;
  for (size_t i = 0; i < n; ++i) {
    auto out = (*s)->Run({{(*s)->inputs()[0].name, d->Sample(i)[0]}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    const float* p = (*out)[0].tensor.data<float>();
    int64_t best = std::max_element(p, p + (*out)[0].tensor.numel()) - p;
    correct += best == d->label(i);
  }
  EXPECT_GT(correct, static_cast<int>(n * 0.9));
}

TEST(DatasetTest, DirectoryOfSampleDirectories) {
  fs::path dir = fs::temp_directory_path() / ("edgerun_ds_" + std::to_string(::getpid()));
  for (int i = 0; i < 3; ++i) {
    fs::create_directories(dir / ("s" + std::to_string(i)));
    Tensor t = Tensor::Create(DataType::kFloat, {1, 2}).value();
    t.data<float>()[0] = static_cast<float>(i);
    ASSERT_TRUE(onnxio::WriteTensorProtoFile(t, "x", (dir / ("s" + std::to_string(i)) / "input_0.pb").string()).ok());
  }
  auto d = LoadDataset(dir.string());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->size(), 3u);
  EXPECT_EQ(d->Sample(2)[0].shape(), (Shape{1, 2}));
  EXPECT_EQ(d->Sample(2)[0].data<float>()[0], 2.0f);
  EXPECT_FALSE(d->has_labels());
  // A sample with a different shape is named in the error.
  Tensor bad = Tensor::Create(DataType::kFloat, {1, 3}).value();
  ASSERT_TRUE(onnxio::WriteTensorProtoFile(bad, "x", (dir / "s1" / "input_0.pb").string()).ok());
  auto e = LoadDataset(dir.string());
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("sample 1"), std::string::npos) << e.status().ToString();
  fs::remove_all(dir);
}

TEST(DatasetTest, LabelCountMismatchIsAnError) {
  fs::path dir = fs::temp_directory_path() / ("edgerun_ds_lbl_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  ASSERT_TRUE(WriteNpyFile(Tensor::Create(DataType::kFloat, {4, 2}).value(), (dir / "input_0.npy").string()).ok());
  ASSERT_TRUE(WriteNpyFile(Tensor::Create(DataType::kInt64, {3}).value(), (dir / "labels.npy").string()).ok());
  auto d = LoadDataset(dir.string());
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("4 samples"), std::string::npos) << d.status().ToString();
  fs::remove_all(dir);
  EXPECT_EQ(LoadDataset("/nonexistent/data").status().code(), StatusCode::kNotFound);
}

TEST(DatasetTest, FashionMnistFromTheDebianPackage) {
  const std::string images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
  const std::string labels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";
  if (!fs::exists(images)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  auto d = LoadIdxImageDataset(images, labels);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->size(), 10000u);
  EXPECT_EQ(d->stacked_inputs()[0].shape(), (Shape{10000, 1, 28, 28}));
  auto s = Session::CreateFromFile(std::string(EDGERUN_SOURCE_DIR) + "/models/fashion_cnn/model.onnx");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  int correct = 0;
  const size_t n = 300;
  for (size_t i = 0; i < n; ++i) {
    auto out = (*s)->Run({{(*s)->inputs()[0].name, d->Sample(i)[0]}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    const float* p = (*out)[0].tensor.data<float>();
    correct += (std::max_element(p, p + 10) - p) == d->label(i);
  }
  EXPECT_GT(correct, static_cast<int>(n * 0.85));  // the model scores 91.8% on the full split
}

TEST(DatasetTest, TruncatedIdxIsCorruption) {
  fs::path p = fs::temp_directory_path() / ("edgerun_idx_" + std::to_string(::getpid()));
  std::string header("\x00\x00\x08\x01\x00\x00\x00\x10", 8);  // 16 uint8 promised
  ASSERT_TRUE(WriteFileAtomically(p.string(), header + "abc").ok());
  auto t = ReadIdxFile(p.string());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kCorruption);
  fs::remove(p);
}

}  // namespace
}  // namespace edgerun::data
