// ReplaySource: feeds a recorded dataset (src/data layout) to the agent at a fixed rate, as a
// sensor would. Samples are taken in order (looping if configured); each goes through
// EdgeAgent::Infer on the source's own thread.
// Thread-safety: Start/Stop from one thread.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "agent/config.h"
#include "edgerun/agent.h"

namespace edgerun::agent {

class ReplaySource {
 public:
  // Loads the dataset; InvalidArgument when it has no samples or its sample size differs from
  // the model input.
  static Result<std::unique_ptr<ReplaySource>> Create(const ReplayConfig& config, EdgeAgent* agent);
  ~ReplaySource();  // Stop()

  void Start();
  void Stop();
  uint64_t played() const { return played_.load(); }
  // True once a non-looping replay or the limit is finished.
  bool done() const { return done_.load(); }

 private:
  ReplaySource(const ReplayConfig& config, EdgeAgent* agent) : config_(config), agent_(agent) {}
  void Loop();

  ReplayConfig config_;
  EdgeAgent* agent_;
  std::vector<std::vector<float>> samples_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  std::atomic<uint64_t> played_{0};
};

}  // namespace edgerun::agent
