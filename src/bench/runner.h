// The benchmark runner: creates sessions, warms up, runs the measured window (fixed count,
// fixed duration, N concurrent streams, or a periodic real-time loop with deadlines and idle
// gaps) and fills a BenchReport. Side effects (allocation counting, progress, energy source)
// come in through BenchConfig so the library stays testable and free of process-wide hooks.
// Thread-safety: RunBench may be called from one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bench/inputs.h"
#include "bench/report.h"
#include "edgerun/session.h"

namespace edgerun::bench {

// Counts heap allocations on threads that enabled counting (the CLI overrides operator new).
struct AllocationHooks {
  std::function<void(bool)> count_on_this_thread;
  std::function<uint64_t()> read;
};

struct BenchConfig {
  std::string model_path;
  SessionOptions session_options;
  int warmup = 10;
  int64_t iterations = 0;  // per stream; 0 with duration_s 0 means 100
  double duration_s = 0;   // when > 0 (and iterations 0): run for this long
  int streams = 1;
  std::vector<int> pin_cpus;
  InputSpec inputs;
  // Real-time mode when rate_hz > 0: one invocation per period, deadline per invocation.
  double rate_hz = 0;
  double deadline_ms = 0;  // 0: the period
  double idle_gap_ms = 0;  // > 0: pause this long every idle_every invocations
  int64_t idle_every = 50;
  std::string sysfs_root = "/sys";
  AllocationHooks allocations;
  // Called from the measuring thread about ten times a second with the fraction done.
  std::function<void(double)> progress;
  // Chrome trace (chrome://tracing, Perfetto) of every measured inference and of the profiling
  // runs' nodes, when non-empty.
  std::string trace_path;
  // Runs of a separate session with per-node timing after the measured window (0: no profile).
  int profile_runs = 20;
};

// Runs the benchmark. Fails (naming the model, input or option) when the model cannot be
// loaded, inputs do not match, a run fails, or in real-time mode when the model's warm-up
// latency already exceeds the period (it cannot keep up; nothing is run then).
// A rate the model sustains only partly is reported in RealtimeResult (kept_up false).
Result<BenchReport> RunBench(const BenchConfig& config);

}  // namespace edgerun::bench
