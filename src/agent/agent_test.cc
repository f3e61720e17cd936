#include "edgerun/agent.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "agent/agent_test_util.h"
#include "agent/metrics.h"
#include "agent/ulid.h"
#include "data/dataset.h"

namespace edgerun::agent {
namespace {

std::vector<std::string> ReadBodies(const std::string& db_path) {
  sqlite3* db = nullptr;
  std::vector<std::string> bodies;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return bodies;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT body FROM events ORDER BY id", -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) {
    bodies.emplace_back(static_cast<const char*>(sqlite3_column_blob(st, 0)), sqlite3_column_bytes(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return bodies;
}

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ds = data::LoadDataset(testing::SourcePath("models/sensor_mlp/data"));
    ASSERT_TRUE(ds.ok()) << ds.status().ToString();
    for (size_t i = 0; i < 200; ++i) {
      Tensor t = ds->Sample(i)[0];
      samples_.emplace_back(t.data<float>(), t.data<float>() + t.numel());
      labels_.push_back(ds->label(i));
    }
    config_.device_id = "dev-a";
    config_.model.path = testing::SourcePath("models/sensor_mlp/model.onnx");
    config_.model.version = "7";
    config_.postprocess.labels = {"normal", "imbalance", "misalignment", "bearing_fault"};
    config_.routing.seed = 3;
    config_.outbox.path = dir_.Path("outbox.db");
  }

  testing::TempDir dir_;
  AgentConfig config_;
  std::vector<std::vector<float>> samples_;
  std::vector<int64_t> labels_;
};

TEST_F(AgentTest, InfersLikeTheModelAndFillsTheResult) {
  auto agent = EdgeAgent::Create(config_);
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  EXPECT_EQ((*agent)->input_size(), 64u);
  int correct = 0;
  for (size_t i = 0; i < samples_.size(); ++i) {
    auto r = (*agent)->Infer(samples_[i]);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->outputs.size(), 4u);
    EXPECT_EQ(r->top_k.size(), 3u);
    EXPECT_EQ(r->label, config_.postprocess.labels[static_cast<size_t>(r->top_class)]);
    EXPECT_FLOAT_EQ(r->confidence, r->outputs[static_cast<size_t>(r->top_class)]);
    EXPECT_EQ(r->route.empty(), r->confidence >= 0.85f);
    correct += r->top_class == labels_[i];
  }
  EXPECT_GE(correct, 190);  // the model's accuracy is 0.989
  EXPECT_EQ((*agent)->metrics().inferences.value(), samples_.size());
  std::string text = (*agent)->MetricsText();
  for (const char* name : {"edgerun_inference_latency_seconds_bucket", "edgerun_inferences_total 200",
                           "edgerun_inference_errors_total{kind=\"wrong_size\"}", "edgerun_outbox_depth",
                           "edgerun_outbox_drops_total{reason=\"queue_full\"}", "edgerun_sync_successes_total",
                           "edgerun_seconds_since_last_sync", "edgerun_model_info{model=\"model\",version=\"7\""}) {
    EXPECT_NE(text.find(name), std::string::npos) << name;
  }
}

TEST_F(AgentTest, RejectsWrongSizesAndNonFiniteInput) {
  auto agent = EdgeAgent::Create(config_);
  ASSERT_TRUE(agent.ok());
  EXPECT_EQ((*agent)->Infer(std::vector<float>(63, 0.0f)).status().code(), StatusCode::kInvalidArgument);
  std::vector<float> nan = samples_[0];
  nan[5] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ((*agent)->Infer(nan).status().code(), StatusCode::kInvalidArgument);
  nan[5] = std::numeric_limits<float>::infinity();
  EXPECT_FALSE((*agent)->Infer(nan).ok());
  EXPECT_EQ((*agent)->metrics().inference_errors.value("wrong_size"), 1u);
  EXPECT_EQ((*agent)->metrics().inference_errors.value("non_finite"), 2u);
  EXPECT_EQ((*agent)->metrics().inferences.value(), 0u);
}

TEST_F(AgentTest, RoutedEventsAreCommittedWithTheContractFieldsOnShutdown) {
  config_.routing.threshold = 1.01;  // route everything
  config_.routing.input = InputPayload::kRaw;
  {
    auto agent = EdgeAgent::Create(config_);
    ASSERT_TRUE(agent.ok());
    for (int i = 0; i < 50; ++i) ASSERT_TRUE((*agent)->Infer(samples_[static_cast<size_t>(i)]).ok());
    (*agent)->Shutdown();
    EXPECT_EQ((*agent)->OutboxDepth(), 50u);
    EXPECT_EQ((*agent)->metrics().outbox_committed.value(), 50u);
  }
  auto bodies = ReadBodies(config_.outbox.path);
  ASSERT_EQ(bodies.size(), 50u);
  std::string prev_id;
  for (const std::string& b : bodies) {
    auto j = nlohmann::json::parse(b);
    EXPECT_TRUE(ParseUlid(j["id"]).ok());
    EXPECT_LT(prev_id, j["id"].get<std::string>());
    prev_id = j["id"];
    EXPECT_EQ(j["device_id"], "dev-a");
    EXPECT_EQ(j["model"], "model");
    EXPECT_EQ(j["model_version"], "7");
    EXPECT_EQ(j["timestamp"].get<std::string>().size(), 24u);
    EXPECT_TRUE(j["prediction"].contains("class"));
    EXPECT_TRUE(j["prediction"].contains("label"));
    EXPECT_EQ(j["prediction"]["top_k"].size(), 3u);
    EXPECT_GE(j["confidence"].get<double>(), 0.0);
    EXPECT_GE(j["latency_us"].get<int64_t>(), 0);
    EXPECT_EQ(j["route"], "least_confidence");
    EXPECT_EQ(j["input"].get<std::string>().size(), 344u);  // base64 of 256 bytes
  }
  // A restart keeps ids increasing after the stored ones.
  auto agent = EdgeAgent::Create(config_);
  ASSERT_TRUE(agent.ok());
  ASSERT_TRUE((*agent)->Infer(samples_[0]).ok());
  (*agent)->Shutdown();
  auto after = ReadBodies(config_.outbox.path);
  ASSERT_EQ(after.size(), 51u);
  EXPECT_LT(prev_id, nlohmann::json::parse(after.back())["id"].get<std::string>());
}

TEST_F(AgentTest, Sha256InputAndQueueFullIsCountedNotBlocking) {
  config_.routing.threshold = 1.01;
  config_.routing.input = InputPayload::kSha256;
  config_.outbox.queue_capacity = 2;
  config_.outbox.flush_interval_ms = 300;  // the writer is asleep while we fill the queue
  auto agent = EdgeAgent::Create(config_);
  ASSERT_TRUE(agent.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  int queued = 0;
  for (int i = 0; i < 100; ++i) {
    auto r = (*agent)->Infer(samples_[static_cast<size_t>(i)]);
    ASSERT_TRUE(r.ok());
    queued += r->queued;
  }
  (*agent)->Shutdown();
  auto& m = (*agent)->metrics();
  EXPECT_GT(m.outbox_drops.value("queue_full"), 0u);
  EXPECT_EQ(m.outbox_drops.value("queue_full") + m.outbox_committed.value(), 100u);
  EXPECT_EQ(m.outbox_committed.value(), static_cast<uint64_t>(queued));
  auto bodies = ReadBodies(config_.outbox.path);
  ASSERT_FALSE(bodies.empty());
  auto j = nlohmann::json::parse(bodies[0]);
  EXPECT_FALSE(j.contains("input"));
  EXPECT_EQ(j["input_sha256"].get<std::string>().size(), 64u);
}

TEST_F(AgentTest, UploadsEverythingInIdOrderThroughTheTransport) {
  config_.routing.threshold = 1.01;
  config_.sync.enabled = true;
  config_.sync.url = "http://127.0.0.1:1";
  config_.sync.token = "tok-a";
  config_.sync.batch_size = 7;
  config_.sync.interval_ms = 20;
  auto transport = std::make_shared<testing::FakeTransport>();
  transport->Script({-1, 500});  // first two attempts fail
  config_.sync.backoff_initial_ms = 5;
  config_.sync.backoff_max_ms = 20;
  auto agent = EdgeAgent::Create(config_, AgentDeps{nullptr, transport});
  ASSERT_TRUE(agent.ok());
  for (int i = 0; i < 60; ++i) ASSERT_TRUE((*agent)->Infer(samples_[static_cast<size_t>(i)]).ok());
  for (int i = 0; i < 500 && (*agent)->metrics().events_uploaded.value() < 60; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  (*agent)->Shutdown();
  EXPECT_EQ((*agent)->metrics().events_uploaded.value(), 60u);
  EXPECT_EQ((*agent)->OutboxDepth(), 0u);
  std::vector<std::string> ids;
  std::set<std::string> unique;
  for (const auto& req : transport->requests()) {
    auto body = nlohmann::json::parse(req.body);
    EXPECT_EQ(body["device_id"], "dev-a");
    EXPECT_TRUE(body["status"].contains("outbox_depth"));
    EXPECT_TRUE(body["status"]["drops"].contains("queue_full"));
    for (const auto& e : body["events"]) {
      if (unique.insert(e["id"]).second) ids.push_back(e["id"]);
    }
  }
  EXPECT_EQ(ids.size(), 60u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_GE((*agent)->metrics().sync_failures.value("network"), 1u);
}

TEST_F(AgentTest, CreateFailsWithContext) {
  config_.model.path = dir_.Path("missing.onnx");
  auto agent = EdgeAgent::Create(config_);
  ASSERT_FALSE(agent.ok());
  EXPECT_NE(agent.status().message().find("missing.onnx"), std::string::npos);
  config_.model.path = testing::SourcePath("models/sensor_mlp/model.onnx");
  config_.preprocess.mean = {1, 2, 3};
  EXPECT_EQ(EdgeAgent::Create(config_).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace edgerun::agent
