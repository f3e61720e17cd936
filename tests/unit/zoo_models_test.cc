// Every committed zoo model runs through the engine and matches the PyTorch outputs recorded in
// its test_data_set_0 (relative error max|got - want| / max|want| <= 1e-4, as in the model-zoo
// issue). The comparison with ONNX Runtime is tools/zoo/check_edgerun_vs_peer.sh (ctest).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "edgerun/session.h"
#include "onnx/tensor_proto.h"

namespace edgerun {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> CommittedModels() {
  std::vector<fs::path> models;
  for (const auto& e : fs::directory_iterator(fs::path(EDGERUN_SOURCE_DIR) / "models")) {
    if (e.is_directory() && fs::exists(e.path() / "model.onnx")) models.push_back(e.path());
  }
  std::sort(models.begin(), models.end());
  return models;
}

TEST(ZooModelsTest, AllCommittedModelsArePresent) {
  std::vector<std::string> names;
  for (const auto& m : CommittedModels()) names.push_back(m.filename().string());
  for (const char* want : {"fashion_cnn", "fashion_mobilenet", "sensor_lstm", "sensor_mlp", "sensor_transformer",
                           "vibration_cnn1d"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  }
}

TEST(ZooModelsTest, OutputsMatchPyTorch) {
  for (const auto& dir : CommittedModels()) {
    SCOPED_TRACE(dir.filename().string());
    auto session = Session::CreateFromFile((dir / "model.onnx").string());
    ASSERT_TRUE(session.ok()) << session.status().ToString();
    const fs::path data = dir / "test_data_set_0";
    std::vector<NamedTensor> feeds;
    for (size_t i = 0; i < (*session)->inputs().size(); ++i) {
      auto t = onnxio::ReadTensorProtoFile((data / ("input_" + std::to_string(i) + ".pb")).string());
      ASSERT_TRUE(t.ok()) << t.status().ToString();
      feeds.push_back({(*session)->inputs()[i].name, *t});
    }
    auto outs = (*session)->Run(feeds);
    ASSERT_TRUE(outs.ok()) << outs.status().ToString();
    for (size_t k = 0; k < outs->size(); ++k) {
      auto want = onnxio::ReadTensorProtoFile((data / ("output_" + std::to_string(k) + ".pb")).string());
      ASSERT_TRUE(want.ok()) << want.status().ToString();
      const Tensor& got = (*outs)[k].tensor;
      ASSERT_EQ(got.dtype(), DataType::kFloat);
      ASSERT_EQ(got.shape(), want->shape());
      double max_diff = 0, max_ref = 0;
      for (int64_t i = 0; i < got.numel(); ++i) {
        max_diff = std::max(max_diff, std::fabs(double(got.data<float>()[i]) - want->data<float>()[i]));
        max_ref = std::max(max_ref, std::fabs(double(want->data<float>()[i])));
      }
      EXPECT_LE(max_diff, 1e-4 * std::max(max_ref, 1e-30)) << "output " << k << " max abs diff " << max_diff;
    }
  }
}

}  // namespace
}  // namespace edgerun
