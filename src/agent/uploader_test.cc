#include "agent/uploader.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agent/agent_test_util.h"

namespace edgerun::agent {
namespace {

class UploaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    OutboxConfig c;
    c.path = dir_.Path("o.db");
    box_ = std::move(Outbox::Open(c)).value();
    transport_ = std::make_shared<testing::FakeTransport>();
    clock_ = std::make_shared<ManualClock>();
  }
  void Fill(int from, int to) {
    std::vector<OutboxRow> rows;
    for (int i = from; i < to; ++i) {
      char id[32];
      std::snprintf(id, sizeof(id), "ID%06d", i);
      rows.push_back({id, std::string("{\"id\":\"") + id + "\"}"});
    }
    ASSERT_TRUE(box_->Append(rows).ok());
  }
  std::unique_ptr<Uploader> Make(size_t batch = 4) {
    UploaderOptions o;
    o.device_id = "dev-7";
    o.token = "tok";
    o.batch_size = batch;
    o.interval_ms = 1000;
    o.backoff_initial_ms = 100;
    o.backoff_max_ms = 1000;
    o.status_json = [] { return std::string("{\"outbox_depth\":1}"); };
    return std::make_unique<Uploader>(box_.get(), transport_, clock_, &metrics_, o);
  }
  static std::vector<std::string> Ids(const std::string& body) {
    std::vector<std::string> ids;
    const nlohmann::json j = nlohmann::json::parse(body);
    for (const auto& e : j["events"]) ids.push_back(e["id"]);
    return ids;
  }

  testing::TempDir dir_;
  std::unique_ptr<Outbox> box_;
  std::shared_ptr<testing::FakeTransport> transport_;
  std::shared_ptr<ManualClock> clock_;
  AgentMetrics metrics_;
};

TEST_F(UploaderTest, SendsBatchesInIdOrderAndDeletesOnlyAcknowledged) {
  Fill(0, 10);
  auto up = Make(4);
  EXPECT_EQ(up->RunOnce(), 0);     // a full batch is still waiting: go again at once
  EXPECT_EQ(up->RunOnce(), 1000);  // 2 left (< batch): wait for the interval
  EXPECT_EQ(box_->depth(), 2u);
  // 2 left (< batch) and the interval has not passed: wait.
  EXPECT_GT(up->RunOnce(), 0);
  EXPECT_EQ(box_->depth(), 2u);
  clock_->AdvanceMillis(1000);
  up->RunOnce();
  EXPECT_EQ(box_->depth(), 0u);
  auto reqs = transport_->requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].path, "/api/v1/events");
  EXPECT_EQ(reqs[0].token, "tok");
  auto body = nlohmann::json::parse(reqs[0].body);
  EXPECT_EQ(body["device_id"], "dev-7");
  EXPECT_EQ(body["status"]["outbox_depth"], 1);
  std::vector<std::string> all;
  for (const auto& r : reqs) {
    auto ids = Ids(r.body);
    all.insert(all.end(), ids.begin(), ids.end());
  }
  ASSERT_EQ(all.size(), 10u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(metrics_.sync_successes.value(), 3u);
  EXPECT_EQ(metrics_.events_uploaded.value(), 10u);
  EXPECT_GE(up->last_success_us(), 0);
}

TEST_F(UploaderTest, FailuresKeepRowsAndBackOffExponentiallyWithJitter) {
  Fill(0, 4);
  auto up = Make(4);
  transport_->Script({-1, 503, -1, -1, -1, -1, -1});
  std::vector<int64_t> delays;
  for (int i = 0; i < 7; ++i) delays.push_back(up->RunOnce());
  EXPECT_EQ(box_->depth(), 4u);  // nothing acknowledged, nothing deleted
  EXPECT_GE(delays[0], 50);
  EXPECT_LE(delays[0], 100);
  EXPECT_GE(delays[2], 200);
  EXPECT_LE(delays[2], 400);
  EXPECT_LE(delays[6], 1000);  // capped
  EXPECT_GE(delays[6], 500);
  EXPECT_EQ(metrics_.sync_failures.value("network"), 6u);
  EXPECT_EQ(metrics_.sync_failures.value("http_5xx"), 1u);
  // Recovery: the same events, same order, then deleted.
  EXPECT_EQ(up->RunOnce(), 1000);
  EXPECT_EQ(box_->depth(), 0u);
  auto reqs = transport_->requests();
  EXPECT_EQ(Ids(reqs.front().body), Ids(reqs.back().body));
}

TEST_F(UploaderTest, TooLargeHalvesTheBatchAndDropsAnEventTheCloudNeverTakes) {
  Fill(0, 4);
  auto up = Make(4);
  transport_->Script({413, 413, 400});  // 4 -> 2 -> 1 -> single event refused
  for (int i = 0; i < 3; ++i) EXPECT_EQ(up->RunOnce(), 0);
  EXPECT_EQ(box_->depth(), 3u);
  EXPECT_EQ(metrics_.outbox_drops.value("rejected_by_cloud"), 1u);
  up->RunOnce();
  EXPECT_EQ(box_->depth(), 2u);  // batch limit 1 until a success restores it
  clock_->AdvanceMillis(1000);
  up->RunOnce();
  EXPECT_EQ(box_->depth(), 0u);
}

TEST_F(UploaderTest, HeartbeatWhenEmptyAndThreadDeliversOnNotify) {
  auto up = Make(2);
  up->RunOnce();
  auto reqs = transport_->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_TRUE(nlohmann::json::parse(reqs[0].body)["events"].empty());
  auto clock = std::make_shared<SystemClock>();
  UploaderOptions o;
  o.device_id = "dev-7";
  o.token = "t";
  o.batch_size = 2;
  o.interval_ms = 60000;
  Uploader threaded(box_.get(), transport_, clock, &metrics_, o);
  threaded.Start();
  Fill(0, 2);
  threaded.Notify();
  for (int i = 0; i < 200 && box_->depth() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(box_->depth(), 0u);
  threaded.Stop();
}

}  // namespace
}  // namespace edgerun::agent
