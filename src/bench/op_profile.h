// Per-operator profile of a model: a separate session with SessionOptions::node_observer runs
// the model a few times after the measured window (so the hook's two clock reads per node never
// touch the reported latencies) and aggregates time per op type and per node.
// Thread-safety: single-threaded use.
#pragma once

#include <string>
#include <vector>

#include "bench/report.h"
#include "edgerun/session.h"

namespace edgerun::bench {

struct NodeEvent {
  std::string name;
  std::string op_type;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int run = 0;
};

struct ProfileResult {
  OperatorProfile profile;
  std::vector<NodeEvent> events;  // for the Chrome trace, in execution order
  int runs = 0;
};

// Aggregates node events into shares per op type and the top `top_n` nodes by mean time.
OperatorProfile AggregateProfile(const std::vector<NodeEvent>& events, int runs, size_t top_n = 10);

// Creates a profiling session for `model_path` and runs it `runs` times on `feeds`.
Result<ProfileResult> ProfileModel(const std::string& model_path, SessionOptions options,
                                   const std::vector<NamedTensor>& feeds, int runs);

}  // namespace edgerun::bench
