// A 100 Hz control loop using the edge agent: read a sensor window, infer, act on the result.
// Infer never waits on disk or network: routing to the outbox and upload to the cloud happen on
// the agent's own threads, so the loop keeps its period even when the cloud is unreachable.
//
//   edgerun_control_loop [agent.toml] [seconds]
//
// With no config it runs sensor_mlp from the source tree, routes uncertain results to
// ./control-loop-outbox.db and does not sync. The "sensor" replays models/sensor_mlp/data.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "agent/config.h"
#include "data/dataset.h"
#include "edgerun/agent.h"

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  edgerun::agent::AgentConfig config;
  std::string dataset = std::string(EDGERUN_SOURCE_DIR) + "/models/sensor_mlp/data";
  if (argc > 1) {
    auto daemon = edgerun::agent::LoadDaemonConfigFile(argv[1]);
    if (!daemon.ok()) {
      std::fprintf(stderr, "%s\n", daemon.status().ToString().c_str());
      return 2;
    }
    config = daemon->agent;
    if (!daemon->replay.dataset.empty()) dataset = daemon->replay.dataset;
  } else {
    config.model.path = std::string(EDGERUN_SOURCE_DIR) + "/models/sensor_mlp/model.onnx";
    config.model.name = "sensor_mlp";
    config.postprocess.labels = {"normal", "imbalance", "misalignment", "bearing_fault"};
    config.outbox.path = "control-loop-outbox.db";
  }
  const double seconds = argc > 2 ? std::atof(argv[2]) : 5.0;

  auto agent = edgerun::agent::EdgeAgent::Create(config);
  if (!agent.ok()) {
    std::fprintf(stderr, "%s\n", agent.status().ToString().c_str());
    return 1;
  }
  auto sensor = edgerun::data::LoadDataset(dataset);
  if (!sensor.ok()) {
    std::fprintf(stderr, "%s\n", sensor.status().ToString().c_str());
    return 1;
  }

  const auto period = std::chrono::milliseconds(10);  // 100 Hz
  const int ticks = static_cast<int>(seconds * 100);
  auto next = Clock::now();
  int overruns = 0, alarms = 0;
  int64_t worst_us = 0;
  for (int tick = 0; tick < ticks; ++tick) {
    edgerun::Tensor window = sensor->Sample(static_cast<size_t>(tick) % sensor->size())[0];
    auto t0 = Clock::now();
    auto result = (*agent)->Infer(window.data<float>(), static_cast<size_t>(window.numel()));
    auto took = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
    worst_us = std::max<int64_t>(worst_us, took);
    if (!result.ok()) {
      std::fprintf(stderr, "tick %d: %s\n", tick, result.status().ToString().c_str());
    } else if (result->top_class != 0 && result->confidence > 0.9f) {
      ++alarms;  // act: e.g. slow the motor down, raise a maintenance flag
    }
    next += period;
    if (Clock::now() > next) {
      ++overruns;
      next = Clock::now();
    }
    std::this_thread::sleep_until(next);
  }
  (*agent)->Shutdown();
  std::printf("ticks %d, overruns %d, worst infer %lld us, alarms %d, outbox depth %llu\n", ticks, overruns,
              static_cast<long long>(worst_us), alarms, static_cast<unsigned long long>((*agent)->OutboxDepth()));
  return 0;
}
