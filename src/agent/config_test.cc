#include "agent/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "agent/agent_test_util.h"

namespace edgerun::agent {
namespace {

TEST(ConfigTest, ParsesEverySectionAndResolvesPaths) {
  auto c = ParseDaemonConfig(R"(
device_id = "pump-7"
[model]
path = "m/model.onnx"
version = "3"
[preprocess]
mean = [0.5, 1.0]
std = 2.0
[postprocess]
softmax = true
top_k = 2
labels = ["a", "b"]
[routing]
strategy = "margin"
threshold = 0.1
sample_rate = 0.05
seed = 9
input = "sha256"
[outbox]
path = "out.db"
max_events = 500
max_bytes = 100000
policy = "reject_new"
synchronous = "normal"
[sync]
url = "http://127.0.0.1:8080"
token = "secret"
batch_size = 10
interval_ms = 200
[input]
unix_socket = "agent.sock"
tcp = "127.0.0.1:0"
[replay]
dataset = "data"
rate_hz = 50
[metrics]
listen = "127.0.0.1:9100"
)", "/base");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const AgentConfig& a = c->agent;
  EXPECT_EQ(a.device_id, "pump-7");
  EXPECT_EQ(a.model.path, "/base/m/model.onnx");
  EXPECT_EQ(a.model.version, "3");
  EXPECT_EQ(a.preprocess.mean, (std::vector<float>{0.5f, 1.0f}));
  EXPECT_EQ(a.preprocess.std, (std::vector<float>{2.0f}));
  EXPECT_TRUE(a.postprocess.softmax);
  EXPECT_EQ(a.postprocess.labels.size(), 2u);
  EXPECT_EQ(a.routing.strategy, RoutingStrategy::kMargin);
  EXPECT_EQ(a.routing.input, InputPayload::kSha256);
  EXPECT_EQ(a.outbox.path, "/base/out.db");
  EXPECT_EQ(a.outbox.policy, OutboxPolicy::kRejectNew);
  EXPECT_TRUE(a.sync.enabled);
  EXPECT_EQ(a.sync.batch_size, 10u);
  EXPECT_EQ(c->input.unix_socket, "/base/agent.sock");
  EXPECT_EQ(c->replay.dataset, "/base/data");
  EXPECT_DOUBLE_EQ(c->replay.rate_hz, 50);
  EXPECT_EQ(c->metrics_listen, "127.0.0.1:9100");
}

TEST(ConfigTest, ErrorsNameTheKey) {
  auto expect_error = [](const std::string& text, const std::string& needle) {
    auto c = ParseDaemonConfig(text, "");
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_NE(c.status().message().find(needle), std::string::npos) << c.status().ToString();
  };
  expect_error("[model]\npath = 3", "model.path");
  expect_error("[model]\npath = \"m.onnx\"\ntypo = 1", "model.typo");
  expect_error("[model]\npath = \"m.onnx\"\n[routing]\nstrategy = \"coin\"", "routing.strategy");
  expect_error("[model]\npath = \"m.onnx\"\n[outbox]\npolicy = \"keep\"", "outbox.policy");
  expect_error("[model]\npath = \"m.onnx\"\n[sync]\nurl = \"http://x\"", "sync.token");
  expect_error("[model]\npath = \"m.onnx\"\n[metrics]\nlisten = \"0.0.0.0:9100\"", "loopback");
  expect_error("[model\npath", "line 1");
  expect_error("device_id = \"d\"", "model.path");
}

TEST(ConfigTest, ExampleFileParses) {
  auto c = LoadDaemonConfigFile(testing::SourcePath("examples/agent.toml"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->agent.routing.strategy, RoutingStrategy::kLeastConfidence);
}

TEST(ConfigTest, ParsesLoopbackAddresses) {
  std::string host;
  int port;
  EXPECT_TRUE(ParseLoopbackAddress("127.0.0.1:0", &host, &port).ok());
  EXPECT_TRUE(ParseLoopbackAddress("localhost:80", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_TRUE(ParseLoopbackAddress("[::1]:8080", &host, &port).ok());
  EXPECT_EQ(port, 8080);
  EXPECT_FALSE(ParseLoopbackAddress("10.0.0.1:80", &host, &port).ok());
  EXPECT_FALSE(ParseLoopbackAddress("127.0.0.1:99999", &host, &port).ok());
  EXPECT_FALSE(ParseLoopbackAddress("127.0.0.1", &host, &port).ok());
}

}  // namespace
}  // namespace edgerun::agent
