// BenchReport: everything one `edgerun bench` run measured, the input of the terminal, JSON and
// HTML writers. Optional fields are empty when not measured; the matching *_reason says why.
// Thread-safety: plain value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/statistics.h"

namespace edgerun::bench {

struct OpTypeProfile {
  std::string op_type;
  double total_us = 0;
  double share = 0;  // of all node time, 0..1
  int64_t calls = 0;
};

struct NodeProfile {
  std::string name;
  std::string op_type;
  double mean_us = 0;
  double share = 0;
};

struct OperatorProfile {
  std::vector<OpTypeProfile> by_op_type;  // descending time
  std::vector<NodeProfile> top_nodes;     // descending time, at most 10
};

struct EnergyResult {
  double joules = 0;
  double average_power_w = 0;
  std::string source;  // e.g. "RAPL package-0"
};

struct RealtimeResult {
  double rate_hz = 0;
  double deadline_ms = 0;
  DeadlineStats deadline;     // all periodic invocations
  int64_t skipped_periods = 0;  // releases dropped because the previous run overran its period
  // The first invocation after each idle gap (--idle-gap): what a robot sees after a pause.
  int64_t idle_gaps = 0;
  double idle_gap_ms = 0;
  LatencySummary after_idle;
  int64_t after_idle_misses = 0;
  // False when the model could not sustain the rate (too many skipped periods); the run then
  // stopped early and `keep_up_note` says why.
  bool kept_up = true;
  std::string keep_up_note;
};

struct BenchReport {
  // What was run.
  std::string model;
  std::string date;      // ISO 8601 UTC
  std::string machine;   // CPU model, cores
  int threads = 1;
  std::vector<std::string> providers;
  bool onednn = true;  // SessionOptions::onednn
  int warmup = 0;
  int batch = 1;
  int streams = 1;
  std::string inputs;    // "random (seed 1)", "zeros", "files"
  std::string pin;       // CPU list or empty
  // Results.
  double session_create_ms = 0;
  double first_inference_ms = 0;
  LatencySummary latency;  // microseconds, all streams merged
  double wall_s = 0;
  double throughput_per_s = 0;  // inferences per second over all streams
  double items_per_s = 0;       // throughput * batch
  std::vector<double> samples_us;       // per inference, in completion order (stream 0 first)
  std::vector<double> sample_start_s;   // start of each sample relative to the measured window
  std::optional<int64_t> peak_rss_bytes;
  std::string peak_rss_reason;
  std::optional<int64_t> arena_bytes;
  std::string arena_reason;
  std::optional<double> allocations_per_run;
  std::string allocations_reason;
  std::optional<EnergyResult> energy;
  std::string energy_reason;
  std::optional<RealtimeResult> realtime;
  std::optional<OperatorProfile> profile;
  std::string profile_reason;
};

}  // namespace edgerun::bench
