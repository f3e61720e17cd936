#include "bench/text_report.h"

#include <algorithm>
#include <cstdio>

namespace edgerun::bench {

namespace {

std::string F(const char* fmt, double v) {
  char buf[96];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string Line(const std::string& k, const std::string& v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "  %-26s ", k.c_str());
  return buf + v + "\n";
}

// Microseconds with a unit that keeps 3-4 significant digits.
std::string Dur(double us) {
  if (us >= 1e6) return F("%.3f s", us / 1e6);
  if (us >= 1e3) return F("%.3f ms", us / 1e3);
  return F("%.1f us", us);
}

std::string Bytes(int64_t b) {
  if (b >= (int64_t{1} << 20)) return F("%.1f MiB", static_cast<double>(b) / 1048576.0);
  if (b >= 1024) return F("%.1f KiB", static_cast<double>(b) / 1024.0);
  return std::to_string(b) + " B";
}

}  // namespace

std::string ProgressBar(double fraction, int width) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  const int filled = static_cast<int>(fraction * width + 0.5);
  return "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(width - filled), '.') + "] " +
         F("%3.0f%%", fraction * 100);
}

std::string BenchReportToText(const BenchReport& r) {
  const LatencySummary& l = r.latency;
  std::string prov;
  for (const auto& p : r.providers) prov += (prov.empty() ? "" : ",") + p;
  std::string s = "edgerun bench " + r.model + "\n";
  s += Line("machine", r.machine);
  s += Line("config", "threads " + std::to_string(r.threads) + ", providers " + prov + ", streams " + std::to_string(r.streams) +
                          ", batch " + std::to_string(r.batch) + ", warmup " + std::to_string(r.warmup) +
                          (r.pin.empty() ? "" : ", pinned to CPUs " + r.pin));
  s += Line("inputs", r.inputs);
  s += "\n";
  s += Line("session creation", F("%.3f ms", r.session_create_ms));
  s += Line("first inference", F("%.3f ms", r.first_inference_ms));
  s += Line("measured runs", std::to_string(l.count) + " in " + Dur(r.wall_s * 1e6));
  s += "\n  latency      min       mean     stddev        p50        p90        p99      p99.9        max\n";
  char row[256];
  std::snprintf(row, sizeof row, "         %10s %10s %10s %10s %10s %10s %10s %10s\n", Dur(l.min).c_str(), Dur(l.mean).c_str(),
                Dur(l.stddev).c_str(), Dur(l.p50).c_str(), Dur(l.p90).c_str(), Dur(l.p99).c_str(), Dur(l.p999).c_str(), Dur(l.max).c_str());
  s += row;
  s += Line("tail ratio p99/p50", F("%.2f", l.tail_ratio));
  s += "\n";
  s += Line("throughput", F("%.1f inferences/s", r.throughput_per_s) + (r.batch > 1 ? F(" (%.1f items/s)", r.items_per_s) : ""));
  s += Line("peak resident memory", r.peak_rss_bytes ? Bytes(*r.peak_rss_bytes) : r.peak_rss_reason);
  s += Line("engine arena", r.arena_bytes ? Bytes(*r.arena_bytes) : r.arena_reason);
  s += Line("heap allocations per run", r.allocations_per_run ? F("%.2f", *r.allocations_per_run) : r.allocations_reason);
  s += Line("energy", r.energy ? F("%.3f J", r.energy->joules) + F(", %.2f W average (", r.energy->average_power_w) + r.energy->source + ")"
                               : r.energy_reason);
  if (r.realtime) {
    const RealtimeResult& rt = *r.realtime;
    s += "\n";
    s += Line("real-time", F("%.2f Hz", rt.rate_hz) + F(" (period %.3f ms)", 1e3 / rt.rate_hz) + F(", deadline %.3f ms", rt.deadline_ms));
    s += Line("deadline misses", std::to_string(rt.deadline.misses) + " of " + std::to_string(rt.deadline.invocations) +
                                     F(" (%.2f%%)", rt.deadline.miss_ratio * 100) + ", worst response " + Dur(rt.deadline.worst_response_us));
    s += Line("skipped periods", std::to_string(rt.skipped_periods));
    if (rt.idle_gaps) {
      s += Line("after idle gaps", std::to_string(rt.idle_gaps) + F(" gaps of %.0f ms: response p50 ", rt.idle_gap_ms) + Dur(rt.after_idle.p50) +
                                       ", max " + Dur(rt.after_idle.max) + ", misses " + std::to_string(rt.after_idle_misses));
    }
    if (!rt.kept_up) s += Line("CANNOT KEEP UP", rt.keep_up_note);
  }
  s += "\n";
  if (r.profile) {
    s += "  operators (share of node time)\n";
    for (const auto& o : r.profile->by_op_type) s += Line("  " + o.op_type, F("%5.1f%%", o.share * 100));
  } else {
    s += Line("operator profile", r.profile_reason);
  }
  return s;
}

}  // namespace edgerun::bench
