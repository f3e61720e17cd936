// Reliability of the edge agent with real processes on loopback: SIGKILL under load (no
// committed event lost), a cloud outage (kept, then delivered in order), an outbox overflow
// (policy applied, drops counted, disk bounded) and SIGTERM (the hand-off queue is flushed).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "agent_process_util.h"

namespace edgerun::agent::it {
namespace {

const std::string kDataset = SourcePath("models/sensor_mlp/data");

TEST(AgentReliabilityTest, SigkillUnderLoadLosesNoCommittedEvent) {
  TempDir dir;
  Cloud cloud = StartCloud(dir.Path("cloud.db"), dir.Path("cloud.log"));
  ASSERT_GT(cloud.port, 0) << "cloud did not start; see " << dir.Path("cloud.log");
  const std::string token = AddToken(dir.Path("cloud.db"), "dev-crash");
  ASSERT_FALSE(token.empty());

  AgentOptions o;
  o.device = "dev-crash";
  o.cloud_port = cloud.port;
  o.token = token;
  o.dataset = kDataset;
  o.rate_hz = 3000;
  o.threshold = 0.9;       // ~5% uncertain...
  o.sample_rate = 0.2;     // ...plus 20% sampled: several hundred events/s
  o.batch_size = 100;  // rows wait a little in the outbox, so the snapshots below see many
  o.interval_ms = 200;
  WriteFile(dir.Path("agent.toml"), AgentToml(o, dir.Path("")));

  std::mt19937 rng(20261125);
  std::uniform_int_distribution<int> run_ms(100, 700);
  std::set<std::string> committed;
  constexpr int kKills = 20;
  for (int i = 0; i < kKills; ++i) {
    Agent agent = StartAgent(dir.Path("agent.toml"), dir.Path("agent.log"));
    ASSERT_GT(agent.metrics_port, 0) << "agent did not start (run " << i << "); see " << dir.Path("agent.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(run_ms(rng)));
    for (const std::string& id : OutboxIds(dir.Path("outbox.db"))) committed.insert(id);
    agent.proc->Signal(SIGKILL);
    EXPECT_EQ(agent.proc->Wait(10000), 128 + SIGKILL);
  }
  // Last run: a bounded replay, then drain.
  o.limit = 500;
  WriteFile(dir.Path("agent.toml"), AgentToml(o, dir.Path("")));
  Agent agent = StartAgent(dir.Path("agent.toml"), dir.Path("agent.log"));
  ASSERT_GT(agent.metrics_port, 0);
  ASSERT_TRUE(WaitUntil([&] { return Metric(agent.metrics_port, "edgerun_inferences_total") >= 500; }, 60000));
  for (const std::string& id : OutboxIds(dir.Path("outbox.db"))) committed.insert(id);
  ASSERT_TRUE(WaitUntil(
      [&] {
        return Metric(agent.metrics_port, "edgerun_handoff_queue_depth") == 0 &&
               Metric(agent.metrics_port, "edgerun_outbox_depth") == 0;
      },
      60000))
      << "outbox did not drain";
  agent.proc->Signal(SIGTERM);
  EXPECT_EQ(agent.proc->Wait(20000), 0);
  EXPECT_TRUE(OutboxIds(dir.Path("outbox.db")).empty());

  std::vector<std::string> cloud_ids = CloudEventIds(cloud.port, token, "dev-crash");
  std::set<std::string> stored(cloud_ids.begin(), cloud_ids.end());
  EXPECT_EQ(stored.size(), cloud_ids.size()) << "the cloud returned an event twice";
  EXPECT_TRUE(std::is_sorted(cloud_ids.begin(), cloud_ids.end()));
  EXPECT_GE(committed.size(), 200u) << "too few events observed for a meaningful test";
  size_t lost = 0;
  for (const std::string& id : committed) lost += stored.count(id) == 0;
  EXPECT_EQ(lost, 0u) << "of " << committed.size() << " committed events";
  std::printf("[ crash ] %d SIGKILLs, %zu committed events observed, %zu stored by the cloud, %zu lost\n", kKills,
              committed.size(), stored.size(), lost);
  cloud.proc->Signal(SIGTERM);
  EXPECT_EQ(cloud.proc->Wait(10000), 0);
}

TEST(AgentReliabilityTest, OutageKeepsEventsAndDeliversThemInOrderOnReconnect) {
  TempDir dir;
  Cloud cloud = StartCloud(dir.Path("cloud.db"), dir.Path("cloud.log"));
  ASSERT_GT(cloud.port, 0);
  const int port = cloud.port;
  const std::string token = AddToken(dir.Path("cloud.db"), "dev-out");
  cloud.proc->Signal(SIGTERM);
  ASSERT_EQ(cloud.proc->Wait(10000), 0);  // the cloud is down from the start

  AgentOptions o;
  o.device = "dev-out";
  o.cloud_port = port;
  o.token = token;
  o.dataset = kDataset;
  o.rate_hz = 2000;
  o.limit = 300;
  o.batch_size = 10;
  o.interval_ms = 20;
  o.backoff_max_ms = 300;
  WriteFile(dir.Path("agent.toml"), AgentToml(o, dir.Path("")));
  Agent agent = StartAgent(dir.Path("agent.toml"), dir.Path("agent.log"));
  ASSERT_GT(agent.metrics_port, 0);
  ASSERT_TRUE(WaitUntil([&] { return Metric(agent.metrics_port, "edgerun_outbox_depth") == 300; }, 30000));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // several failed attempts
  EXPECT_GT(Metric(agent.metrics_port, "edgerun_sync_failures_total{reason=\"network\"}"), 0);
  EXPECT_EQ(Metric(agent.metrics_port, "edgerun_sync_successes_total"), 0);
  EXPECT_EQ(Metric(agent.metrics_port, "edgerun_outbox_depth"), 300);
  EXPECT_EQ(Metric(agent.metrics_port, "edgerun_seconds_since_last_sync"), -1);
  const std::vector<std::string> kept = OutboxIds(dir.Path("outbox.db"));
  ASSERT_EQ(kept.size(), 300u);

  cloud = StartCloud(dir.Path("cloud.db"), dir.Path("cloud.log"), port);
  ASSERT_EQ(cloud.port, port);
  // While delivery is under way, what the cloud has is always a prefix of the outbox's id order.
  size_t observations = 0;
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::vector<std::string> got = CloudEventIds(port, token, "dev-out");
        EXPECT_LE(got.size(), kept.size());
        EXPECT_TRUE(std::equal(got.begin(), got.end(), kept.begin())) << "not delivered in id order";
        ++observations;
        return got.size() == kept.size();
      },
      30000));
  EXPECT_EQ(CloudEventIds(port, token, "dev-out"), kept);
  EXPECT_TRUE(WaitUntil([&] { return Metric(agent.metrics_port, "edgerun_outbox_depth") == 0; }, 10000));
  EXPECT_GE(Metric(agent.metrics_port, "edgerun_seconds_since_last_sync"), 0);
  std::printf("[ outage ] 300 events kept during the outage, delivered in order (%zu observations)\n", observations);
  agent.proc->Signal(SIGTERM);
  EXPECT_EQ(agent.proc->Wait(20000), 0);
}

class OverflowTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OverflowTest, PolicyAppliesDropsAreCountedAndDiskStaysBounded) {
  TempDir dir;
  // A port nothing listens on: bind, read the port, close.
  Cloud probe = StartCloud(dir.Path("probe.db"), dir.Path("probe.log"));
  ASSERT_GT(probe.port, 0);
  const int dead_port = probe.port;
  probe.proc->Signal(SIGTERM);
  ASSERT_EQ(probe.proc->Wait(10000), 0);

  AgentOptions o;
  o.device = "dev-full";
  o.cloud_port = dead_port;
  o.token = "no-cloud";
  o.dataset = kDataset;
  o.rate_hz = 10000;  // fast, yet mostly within what the writer commits (queue_full stays small)
  o.limit = 3000;
  o.max_events = 200;
  o.max_bytes = 1 << 20;
  o.policy = GetParam();
  WriteFile(dir.Path("agent.toml"), AgentToml(o, dir.Path("")));
  Agent agent = StartAgent(dir.Path("agent.toml"), dir.Path("agent.log"));
  ASSERT_GT(agent.metrics_port, 0);
  auto m = [&](const std::string& s) { return Metric(agent.metrics_port, s); };
  ASSERT_TRUE(WaitUntil([&] { return m("edgerun_inferences_total") == 3000 && m("edgerun_handoff_queue_depth") == 0; },
                        60000));
  ASSERT_TRUE(WaitUntil([&] {
    return m("edgerun_outbox_committed_total") + m("edgerun_outbox_drops_total{reason=\"queue_full\"}") +
               m("edgerun_outbox_drops_total{reason=\"reject_new\"}") ==
           3000;
  }, 10000));
  const double depth = m("edgerun_outbox_depth");
  const double committed = m("edgerun_outbox_committed_total");
  const double queue_full = m("edgerun_outbox_drops_total{reason=\"queue_full\"}");
  const double drop_oldest = m("edgerun_outbox_drops_total{reason=\"drop_oldest\"}");
  const double reject_new = m("edgerun_outbox_drops_total{reason=\"reject_new\"}");
  EXPECT_LE(depth, 200);
  EXPECT_GE(depth, 150);
  EXPECT_LE(m("edgerun_outbox_bytes"), 1 << 20);
  const std::vector<std::string> ids = OutboxIds(dir.Path("outbox.db"));
  EXPECT_EQ(static_cast<double>(ids.size()), depth);
  if (GetParam() == "drop_oldest") {
    EXPECT_EQ(committed - depth, drop_oldest);  // every committed event is either kept or counted
    EXPECT_EQ(reject_new, 0);
    EXPECT_GT(drop_oldest, 1000);
  } else {
    EXPECT_EQ(3000 - queue_full, depth + reject_new);
    EXPECT_EQ(drop_oldest, 0);
    EXPECT_GT(reject_new, 1000);
  }
  agent.proc->Signal(SIGTERM);
  EXPECT_EQ(agent.proc->Wait(20000), 0);
  uint64_t disk = 0;
  for (const char* f : {"outbox.db", "outbox.db-wal", "outbox.db-shm"}) {
    std::error_code ec;
    auto size = std::filesystem::file_size(dir.Path(f), ec);
    if (!ec) disk += size;
  }
  EXPECT_LT(disk, 12u << 20) << "outbox files grew past their bound";
  std::printf("[ overflow %s ] depth %.0f, committed %.0f, drop_oldest %.0f, reject_new %.0f, queue_full %.0f, "
              "disk %llu bytes\n",
              GetParam().c_str(), depth, committed, drop_oldest, reject_new, queue_full,
              static_cast<unsigned long long>(disk));
}

INSTANTIATE_TEST_SUITE_P(Policies, OverflowTest, ::testing::Values("drop_oldest", "reject_new"));

TEST(AgentReliabilityTest, SigtermFlushesTheHandoffQueueToDisk) {
  TempDir dir;
  AgentOptions o;
  o.device = "dev-term";
  o.dataset = kDataset;
  o.rate_hz = 0;
  o.limit = 500;
  o.flush_interval_ms = 3000;  // the writer sleeps: events wait in the queue at SIGTERM
  WriteFile(dir.Path("agent.toml"), AgentToml(o, dir.Path("")));
  Agent agent = StartAgent(dir.Path("agent.toml"), dir.Path("agent.log"));
  ASSERT_GT(agent.metrics_port, 0);
  ASSERT_TRUE(WaitUntil([&] { return Metric(agent.metrics_port, "edgerun_inferences_total") == 500; }, 30000));
  const double queued = Metric(agent.metrics_port, "edgerun_handoff_queue_depth");
  agent.proc->Signal(SIGTERM);
  EXPECT_EQ(agent.proc->Wait(20000), 0);
  EXPECT_GT(queued, 0) << "nothing was waiting in the queue; the test proves nothing";
  EXPECT_EQ(OutboxIds(dir.Path("outbox.db")).size(), 500u);
}

}  // namespace
}  // namespace edgerun::agent::it
