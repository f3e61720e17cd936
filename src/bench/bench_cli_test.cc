// Runs `edgerun bench` and `edgerun plan` as a user would: exit codes, files written, errors.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "core/npy.h"
#include "cli_runner.h"

namespace edgerun::bench {
namespace {

namespace fs = std::filesystem;

using Cmd = edgerun::testing::CliResult;
using edgerun::testing::RunCli;

class BenchCliTest : public edgerun::testing::CliFixture {};

TEST_F(BenchCliTest, WritesJsonHtmlAndTrace) {
  // Reference kernels (--providers cpu): one profiled node per model node.
  Cmd r = RunCli("bench " + Src("models/demo/sensor_demo.onnx") + " --providers cpu --iterations 30 --warmup 2 --json " + Tmp("b.json") +
              " --html " + Tmp("b.html") + " --profile " + Tmp("t.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("p99.9"), std::string::npos);
  auto text = ReadFileToString(Tmp("b.json"));
  ASSERT_TRUE(text.ok());
  auto j = nlohmann::json::parse(*text);
  EXPECT_EQ(j["latency_us"]["count"], 30);
  EXPECT_TRUE(j["allocations_per_run"].is_number());  // the CLI's operator new counter
  EXPECT_TRUE(j["peak_rss_bytes"].is_number());
  EXPECT_TRUE(j["deadline_misses"].is_null());
  auto html = ReadFileToString(Tmp("b.html"));
  ASSERT_TRUE(html.ok());
  EXPECT_NE(html->find("<svg"), std::string::npos);
  auto trace = ReadFileToString(Tmp("t.json"));
  ASSERT_TRUE(trace.ok());
  // 30 measured runs on stream 0, and 4 nodes x 20 profiling runs (default --profile-runs) on their own track.
  int runs = 0, node_events = 0;
  const auto trace_json = nlohmann::json::parse(*trace);
  for (const auto& e : trace_json["traceEvents"]) {
    if (e.value("ph", std::string()) != "X") continue;
    if (e.value("name", std::string()) == "Run") ++runs;
    else ++node_events;
  }
  EXPECT_EQ(runs, 30);
  EXPECT_EQ(node_events, 4 * 20);
  EXPECT_NE(j["profile"]["by_op_type"].size(), 0u);
}

TEST_F(BenchCliTest, BadInputsAreClearErrors) {
  Cmd r = RunCli("bench " + Tmp("missing.onnx"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("missing.onnx"), std::string::npos) << r.output;

  auto t = Tensor::Create(DataType::kFloat, {1, 65});
  ASSERT_TRUE(WriteNpyFile(*t, Tmp("x.npy")).ok());
  r = RunCli("bench " + Src("models/demo/sensor_demo.onnx") + " -i " + Tmp("x.npy"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("at dim 1"), std::string::npos) << r.output;

  r = RunCli("bench " + Src("models/demo/sensor_demo.onnx") + " --rate 1000000000 --iterations 10");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("cannot keep up"), std::string::npos) << r.output;

  r = RunCli("bench " + Src("models/demo/sensor_demo.onnx") + " --deadline 5");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = RunCli("bench " + Src("models/demo/sensor_demo.onnx") + " --iterations 5 --duration 1");
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

TEST_F(BenchCliTest, RealtimeJsonCountsMisses) {
  Cmd r = RunCli("bench " + Src("models/demo/sensor_demo.onnx") + " --rate 200 --deadline 1000 --iterations 20 --json " + Tmp("rt.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto text = ReadFileToString(Tmp("rt.json"));
  ASSERT_TRUE(text.ok());
  auto j = nlohmann::json::parse(text.value());
  EXPECT_EQ(j["deadline_misses"], 0);
  EXPECT_EQ(j["realtime"]["invocations"], 20);
}

TEST_F(BenchCliTest, PlanKnownAndUnknownTargets) {
  const std::string cat = " --catalog " + Src("data/targets.json");
  Cmd r = RunCli("plan " + Src("models/demo/sensor_demo.onnx") + " --target coral-edgetpu" + cat);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("must quantize to int8"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ESTIMATES"), std::string::npos);
  EXPECT_NE(r.output.find("cloud or edge"), std::string::npos);
  r = RunCli("plan " + Src("models/demo/sensor_demo.onnx") + " --target nonesuch" + cat);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("unknown target 'nonesuch'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("jetson-orin-nano"), std::string::npos);
}

}  // namespace
}  // namespace edgerun::bench
