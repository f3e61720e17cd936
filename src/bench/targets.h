// The catalog of edge platforms (data/targets.json): peak TOPS by dtype, memory, bandwidth,
// power, price and constraints. Parsed and validated here; figures are vendor peaks.
// Thread-safety: value types and stateless functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "edgerun/status.h"

namespace edgerun::bench {

struct Target {
  std::string name, title, vendor, toolchain, source;
  std::map<std::string, double> peak_tops;  // "int8" / "fp16" / "fp32" -> dense TOPS
  std::vector<std::string> dtypes;          // what the accelerator runs
  std::string preferred_dtype;
  double memory_gb = 0;
  double usable_memory_fraction = 1;
  double memory_bandwidth_gbps = 0;
  bool memory_is_parameter_cache = false;  // on-chip parameter memory (Edge TPU)
  double power_idle_w = 0, power_typical_w = 0, power_max_w = 0;
  double price_usd = 0;
  std::vector<std::string> constraints;
};

struct TargetCatalog {
  std::string note;
  std::vector<Target> targets;
  // nullptr when absent.
  const Target* Find(const std::string& name) const;
  std::string Names() const;  // "a, b, c"
};

// Parses catalog JSON; Corruption naming the target and field at fault.
Result<TargetCatalog> ParseTargetCatalog(const std::string& json_text);
Result<TargetCatalog> LoadTargetCatalog(const std::string& path);

}  // namespace edgerun::bench
