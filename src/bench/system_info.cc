#include "bench/system_info.h"

#include <sched.h>
#include <sys/resource.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <thread>

namespace edgerun::bench {

namespace {

Result<int64_t> ReadProcKb(const std::string& file, const std::string& key) {
  std::ifstream in(file);
  if (!in) return IOError(file + ": " + std::strerror(errno));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return int64_t{std::atoll(line.c_str() + key.size() + 1)} * 1024;
  }
  return NotFound(key + " not in " + file);
}

}  // namespace

int AvailableCpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  return static_cast<int>(std::thread::hardware_concurrency());
}

std::string MachineDescription() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, model = "unknown CPU";
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0 || line.rfind("Model", 0) == 0) {
      auto c = line.find(':');
      if (c != std::string::npos) model = line.substr(line.find_first_not_of(' ', c + 1));
      break;
    }
  }
  return model + " (" + std::to_string(AvailableCpus()) + " CPUs)";
}

Result<int64_t> TotalMemoryBytes() { return ReadProcKb("/proc/meminfo", "MemTotal"); }
Result<int64_t> AvailableMemoryBytes() { return ReadProcKb("/proc/meminfo", "MemAvailable"); }

Result<int64_t> PeakRssBytes() {
  auto hwm = ReadProcKb("/proc/self/status", "VmHWM");
  if (hwm.ok()) return hwm;
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) == 0) return int64_t{ru.ru_maxrss} * 1024;
  return hwm.status();
}

std::string NowIso8601() {
  std::time_t t = std::time(nullptr);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<std::vector<int>> ParseCpuList(const std::string& list) {
  std::vector<int> cpus;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    std::string part = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    int a = -1, b = -1;
    char extra;
    if (std::sscanf(part.c_str(), "%d-%d%c", &a, &b, &extra) == 2 && a >= 0 && b >= a && b < CPU_SETSIZE) {
      for (int c = a; c <= b; ++c) cpus.push_back(c);
    } else if (std::sscanf(part.c_str(), "%d%c", &a, &extra) == 1 && a >= 0 && a < CPU_SETSIZE &&
               part.find('-') == std::string::npos) {
      cpus.push_back(a);
    } else {
      return InvalidArgument("bad CPU list '" + list + "': '" + part + "' is not N or N-M");
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return cpus;
}

Status PinCurrentThread(const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus) CPU_SET(c, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) {
    return InvalidArgument("cannot pin to the given CPUs: " + std::string(std::strerror(errno)));
  }
  return Status::Ok();
}

}  // namespace edgerun::bench
