// BenchReport -> JSON (schema "edgerun-bench/1", documented in docs/bench.md). Every measured
// quantity is present; the ones not measured are null and named in "not_available" with the
// reason. Thread-safety: stateless functions.
#pragma once

#include <string>

#include "bench/report.h"
#include "edgerun/status.h"

namespace edgerun::bench {

constexpr char kBenchJsonSchema[] = "edgerun-bench/1";

// Pretty-printed JSON document, ending in a newline.
std::string BenchReportToJson(const BenchReport& report);

// Writes the JSON atomically; IOError naming the path on failure.
Status WriteBenchJson(const BenchReport& report, const std::string& path);

}  // namespace edgerun::bench
