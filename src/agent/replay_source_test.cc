#include "agent/replay_source.h"

#include <gtest/gtest.h>

#include <thread>

#include "agent/agent_test_util.h"
#include "agent/metrics.h"

namespace edgerun::agent {
namespace {

TEST(ReplaySourceTest, PlaysTheDatasetUpToTheLimit) {
  testing::TempDir dir;
  AgentConfig c;
  c.model.path = testing::SourcePath("models/sensor_mlp/model.onnx");
  c.outbox.path = dir.Path("o.db");
  auto agent = EdgeAgent::Create(c);
  ASSERT_TRUE(agent.ok());
  ReplayConfig rc;
  rc.dataset = testing::SourcePath("models/sensor_mlp/data");
  rc.rate_hz = 0;
  rc.limit = 2500;  // more than the 2000 samples: loops
  auto replay = ReplaySource::Create(rc, agent->get());
  ASSERT_TRUE(replay.ok()) << replay.status().ToString();
  (*replay)->Start();
  for (int i = 0; i < 1000 && !(*replay)->done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE((*replay)->done());
  EXPECT_EQ((*replay)->played(), 2500u);
  EXPECT_EQ((*agent)->metrics().inferences.value(), 2500u);
}

TEST(ReplaySourceTest, PacesAtTheRateAndRejectsBadDatasets) {
  testing::TempDir dir;
  AgentConfig c;
  c.model.path = testing::SourcePath("models/sensor_mlp/model.onnx");
  c.outbox.path = dir.Path("o.db");
  auto agent = EdgeAgent::Create(c);
  ASSERT_TRUE(agent.ok());
  ReplayConfig rc;
  rc.dataset = testing::SourcePath("models/sensor_mlp/data");
  rc.rate_hz = 100;
  auto replay = ReplaySource::Create(rc, agent->get());
  ASSERT_TRUE(replay.ok());
  (*replay)->Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  (*replay)->Stop();
  EXPECT_GE((*replay)->played(), 10u);
  EXPECT_LE((*replay)->played(), 60u);
  rc.dataset = dir.Path("missing");
  EXPECT_FALSE(ReplaySource::Create(rc, agent->get()).ok());
}

}  // namespace
}  // namespace edgerun::agent
