// Facts about this machine and process for reports: CPU model, cores, memory, peak RSS.
// Thread-safety: stateless functions reading /proc.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgerun/status.h"

namespace edgerun::bench {

// "AMD EPYC 9R14 (2 CPUs)"; the CPU count is the one this process may run on.
std::string MachineDescription();
// CPUs this process may run on.
int AvailableCpus();
// MemTotal / MemAvailable from /proc/meminfo, bytes.
Result<int64_t> TotalMemoryBytes();
Result<int64_t> AvailableMemoryBytes();
// Peak resident set size of this process (VmHWM), bytes.
Result<int64_t> PeakRssBytes();
// Current UTC time, ISO 8601.
std::string NowIso8601();
// Parses "0-3,6" into {0,1,2,3,6}; InvalidArgument naming the bad part.
Result<std::vector<int>> ParseCpuList(const std::string& list);
// Pins the calling thread (and threads it creates later) to `cpus`.
Status PinCurrentThread(const std::vector<int>& cpus);

}  // namespace edgerun::bench
