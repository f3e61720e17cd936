// EdgeAgent: on-device inference for a control loop, with routing of uncertain results to a
// durable outbox and background upload to the cloud.
//
//   edgerun::agent::AgentConfig config = ...;           // or LoadAgentConfigFile("agent.toml")
//   auto agent = edgerun::agent::EdgeAgent::Create(config);
//   if (!agent.ok()) { /* agent.status().ToString() names what is wrong */ }
//   auto result = (*agent)->Infer(features);             // never waits on disk or network
//   ...
//   (*agent)->Shutdown();                                // flushes the hand-off queue to disk
//
// Infer runs the model on the caller's thread, routes the result, and hands routed events to a
// bounded lock-free queue. A writer thread commits them to a SQLite (WAL) outbox in batches; an
// uploader thread sends committed events to the cloud in id order and deletes them only after
// the cloud acknowledged them (at-least-once). When the queue is full the event is dropped and
// counted (reason "queue_full"); Infer itself never blocks.
//
// Thread-safety: Infer may be called concurrently from several threads. Shutdown and the
// destructor must not race with Infer. Metrics accessors are safe from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "edgerun/status.h"
#include "edgerun/tensor.h"

namespace edgerun::agent {

enum class RoutingStrategy { kLeastConfidence, kMargin, kEntropy };
enum class OutboxPolicy { kDropOldest, kRejectNew };
enum class InputPayload { kRaw, kSha256, kNone };

struct ModelConfig {
  std::string path;              // .onnx file
  std::string name;              // defaults to the file's stem
  std::string version = "1";
  int threads = 1;
  std::vector<std::string> providers = {"cpu"};
};

struct PreprocessConfig {
  // Per-feature (size = input element count) or a single value applied to every element.
  // x' = (x - mean) / std. Empty = identity.
  std::vector<float> mean;
  std::vector<float> std;
};

struct PostprocessConfig {
  bool softmax = false;          // apply softmax to the output (when the model emits logits)
  int top_k = 3;
  std::vector<std::string> labels;
  std::string output;            // output name to classify; empty = the first output
};

struct RoutingConfig {
  RoutingStrategy strategy = RoutingStrategy::kLeastConfidence;
  // least_confidence: route when top prob < threshold (default 0.85).
  // margin: route when top1 - top2 < threshold (default 0.2).
  // entropy: route when normalized entropy H / ln(K) > threshold (default 0.5).
  // Negative = the strategy's default.
  double threshold = -1;
  double sample_rate = 0.0;      // fraction of confident results routed anyway ("sample")
  uint64_t seed = 0;             // 0 = seeded from the OS
  InputPayload input = InputPayload::kRaw;
};

struct OutboxConfig {
  std::string path = "agent-outbox.db";
  size_t queue_capacity = 1000;            // hand-off queue between Infer and the writer
  uint64_t max_events = 100000;            // rows kept on disk
  uint64_t max_bytes = 64ull << 20;        // payload bytes kept on disk
  OutboxPolicy policy = OutboxPolicy::kDropOldest;
  // "full": each commit fsyncs the WAL (durable across power loss). "normal": durable across
  // process crashes; the last commits may be lost on power loss.
  std::string synchronous = "full";
  size_t batch_max = 1024;                 // events per transaction
  int flush_interval_ms = 5;               // writer poll period when the queue is empty
};

struct SyncConfig {
  bool enabled = false;
  std::string url;                         // http://host:port of the cloud service
  std::string token;                       // per-device bearer token
  size_t batch_size = 50;
  int interval_ms = 5000;                  // upload at least this often (heartbeat when empty)
  int backoff_initial_ms = 500;
  int backoff_max_ms = 60000;
  int timeout_ms = 10000;
};

struct AgentConfig {
  std::string device_id = "dev-1";
  ModelConfig model;
  PreprocessConfig preprocess;
  PostprocessConfig postprocess;
  RoutingConfig routing;
  OutboxConfig outbox;
  SyncConfig sync;
};

struct InferenceResult {
  std::vector<float> outputs;              // the classified output (after softmax if configured)
  int top_class = -1;
  std::string label;                       // labels[top_class] or empty
  float confidence = 0;                    // probability of top_class
  std::vector<std::pair<int, float>> top_k;
  int64_t latency_us = 0;                  // preprocess + model + postprocess
  std::string route;                       // routing reason, empty when not routed
  bool queued = false;                     // routed and accepted by the hand-off queue
};

class AgentMetrics;  // src/agent/metrics.h

// Injectable side effects (for tests); nullptr = the real ones.
class Clock;
class HttpTransport;
struct AgentDeps {
  std::shared_ptr<Clock> clock;
  std::shared_ptr<HttpTransport> transport;
};

class EdgeAgent {
 public:
  // Loads the model, opens (or creates) the outbox and starts the writer and uploader threads.
  // Fails with a Status naming the file or setting at fault; no thread is left running.
  static Result<std::unique_ptr<EdgeAgent>> Create(const AgentConfig& config, AgentDeps deps = {});
  ~EdgeAgent();  // calls Shutdown()

  // Runs the model on one sample (element count = the model input's; shape is taken from the
  // model, a leading batch of 1 included). InvalidArgument for a wrong size or NaN/Inf (counted
  // in edgerun_inference_errors_total{kind}); the error of the engine otherwise.
  Result<InferenceResult> Infer(const std::vector<float>& input);
  Result<InferenceResult> Infer(const float* data, size_t count);

  // Stops the uploader, then commits everything left in the hand-off queue to the outbox.
  // Idempotent. The outbox stays open for OutboxDepth/MetricsText until destruction; events
  // routed by an Infer after Shutdown are not persisted.
  void Shutdown();

  // Prometheus text exposition of every agent metric.
  std::string MetricsText() const;
  AgentMetrics& metrics();

  const AgentConfig& config() const;
  size_t input_size() const;  // element count the model expects
  // Rows and payload bytes in the outbox (committed, not yet acknowledged).
  uint64_t OutboxDepth() const;
  uint64_t OutboxBytes() const;

  class Impl;

 private:
  explicit EdgeAgent(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

const char* AgentVersion();

}  // namespace edgerun::agent
