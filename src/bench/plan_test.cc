#include "bench/plan.h"

#include <gtest/gtest.h>

#include "bench/targets.h"
#include "core/file.h"
#include "onnx/model_loader.h"

namespace edgerun::bench {
namespace {

const char kCatalog[] = R"({"targets": [
  {"name": "npu", "peak_tops": {"int8": 1}, "dtypes": ["int8"], "memory_gb": 1, "usable_memory_fraction": 0.5,
   "memory_bandwidth_gbps": 1, "power_w": {"typical": 2}, "price_usd": 36},
  {"name": "gpu", "peak_tops": {"fp16": 2, "fp32": 1}, "dtypes": ["fp32", "fp16"], "preferred_dtype": "fp16",
   "memory_gb": 0.001, "memory_bandwidth_gbps": 100, "power_w": {"typical": 10}}]})";

ModelFootprint Model(int64_t params, int64_t act_bytes, int64_t flops) {
  ModelFootprint f;
  f.parameter_count = params;
  f.parameter_bytes = params * 4;
  f.peak_activation_bytes = act_bytes;
  f.flops = flops;
  f.input_bytes = 1000;
  return f;
}

TEST(TargetsTest, ParsesAndRejectsBadCatalogs) {
  auto c = ParseTargetCatalog(kCatalog);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_NE(c->Find("gpu"), nullptr);
  EXPECT_EQ(c->Find("nope"), nullptr);
  EXPECT_EQ(c->Names(), "npu, gpu");
  EXPECT_FALSE(ParseTargetCatalog("{").ok());
  EXPECT_FALSE(ParseTargetCatalog(R"({"targets": [{"name": "x", "peak_tops": {"int8": -1}, "dtypes": ["int8"],
    "memory_gb": 1, "memory_bandwidth_gbps": 1, "power_w": {"typical": 1}}]})").ok());
  auto missing = ParseTargetCatalog(R"({"targets": [{"name": "x"}]})");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("target 'x'"), std::string::npos);
}

TEST(TargetsTest, RepositoryCatalogLoadsWithTheIssueTargets) {
  auto c = LoadTargetCatalog(std::string(EDGERUN_SOURCE_DIR) + "/data/targets.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  for (const char* n : {"jetson-orin-nano", "jetson-orin-nx", "jetson-agx-orin", "coral-edgetpu", "intel-core-ultra-openvino",
                        "intel-myriadx-vpu", "snapdragon-qcs6490", "rpi5-hailo8", "ti-tda4vm"}) {
    EXPECT_NE(c->Find(n), nullptr) << n;
  }
  EXPECT_EQ(c->Find("coral-edgetpu")->dtypes, std::vector<std::string>{"int8"});
}

TEST(PlanTest, Int8OnlyTargetForcesQuantizationAndComputesFloors) {
  auto c = ParseTargetCatalog(kCatalog);
  ASSERT_TRUE(c.ok());
  // 1e9 FLOP at 1 TOPS = 1 ms; weights 1e6 int8 bytes + activations 4e6/4 bytes at 1 GB/s = 2 ms.
  PlanEstimate e = EstimateOnTarget(Model(1000000, 4000000, 1000000000), *c->Find("npu"));
  EXPECT_EQ(e.dtype, "int8");
  EXPECT_NE(e.dtype_action.find("must quantize to int8"), std::string::npos);
  EXPECT_DOUBLE_EQ(e.weight_bytes, 1e6);
  EXPECT_DOUBLE_EQ(e.activation_bytes, 1e6);
  EXPECT_NEAR(e.compute_floor_ms, 1.0, 1e-9);
  EXPECT_NEAR(e.bandwidth_floor_ms, 2.0, 1e-9);
  EXPECT_NEAR(e.latency_floor_ms, 2.0, 1e-9);
  EXPECT_NEAR(e.max_rate_hz, 500, 1e-6);
  EXPECT_TRUE(e.fits);
}

TEST(PlanTest, TooBigDoesNotFit) {
  auto c = ParseTargetCatalog(kCatalog);
  ASSERT_TRUE(c.ok());
  PlanEstimate e = EstimateOnTarget(Model(1000000, 0, 1), *c->Find("gpu"));  // 2 MB fp16 > 1 MiB
  EXPECT_EQ(e.dtype, "fp16");
  EXPECT_FALSE(e.fits);
  EXPECT_NE(e.fit_note.find("usable"), std::string::npos);
}

TEST(PlanTest, CloudEdgeCostArithmetic) {
  CostAssumptions a;
  a.rate_hz = 100;
  a.cloud_usd_per_million = 10;
  a.uplink_usd_per_gb = 1;
  a.usd_per_kwh = 0.1;
  a.amortize_months = 36;
  // 25 ms per inference at 100 req/s keeps 2.5 devices busy: 3 devices.
  CostComparison c = CompareCloudEdge(Model(1, 0, 1), 25, 36, 10, a);
  EXPECT_EQ(c.devices, 3);
  const double req = 100 * 30.44 * 86400;
  EXPECT_NEAR(c.requests_per_month, req, 1e-3);
  EXPECT_NEAR(c.edge_hardware_usd_per_month, 3.0, 1e-9);
  EXPECT_NEAR(c.edge_energy_usd_per_month, 3 * 10 * 30.44 * 24 / 1000 * 0.1, 1e-9);
  EXPECT_NEAR(c.cloud_requests_usd_per_month, req / 1e6 * 10, 1e-6);
  EXPECT_NEAR(c.cloud_uplink_usd_per_month, req * 1000 / 1e9, 1e-6);
  EXPECT_NEAR(c.cloud_latency_ms, 52, 1e-9);
  EXPECT_NE(c.verdict.find("edge is"), std::string::npos);
}

TEST(PlanTest, FootprintOfTheDemoModel) {
  const std::string path = std::string(EDGERUN_SOURCE_DIR) + "/models/demo/sensor_demo.onnx";
  auto bytes = ReadFileToString(path);
  ASSERT_TRUE(bytes.ok());
  auto m = onnxio::LoadModelFromBytes(*bytes, "");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto shapes = onnxio::InferShapes(*bytes, *m->graph);
  ModelFootprint f = ComputeFootprint(*m->graph, shapes, 0);
  EXPECT_EQ(f.parameter_count, 2212);  // 64*32 + 32 + 32*4 + 4
  EXPECT_EQ(f.stored_dtype, "fp32");
  EXPECT_EQ(f.input_bytes, 64 * 4);
  EXPECT_GE(f.peak_activation_bytes, 64 * 4 + 32 * 4);  // input and the hidden layer live together
}

}  // namespace
}  // namespace edgerun::bench
