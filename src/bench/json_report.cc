#include "bench/json_report.h"

#include <nlohmann/json.hpp>

#include "core/file.h"

namespace edgerun::bench {

namespace {

using nlohmann::json;

json SummaryJson(const LatencySummary& s) {
  return {{"count", s.count}, {"min", s.min},   {"mean", s.mean}, {"stddev", s.stddev},
          {"p50", s.p50},     {"p90", s.p90},   {"p99", s.p99},   {"p999", s.p999},
          {"max", s.max},     {"tail_ratio_p99_p50", s.tail_ratio}};
}

template <typename T>
json OrNull(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

std::string BenchReportToJson(const BenchReport& r) {
  json j;
  j["schema"] = kBenchJsonSchema;
  j["model"] = r.model;
  j["date"] = r.date;
  j["machine"] = r.machine;
  j["config"] = {{"threads", r.threads}, {"providers", r.providers}, {"onednn", r.onednn}, {"warmup", r.warmup},
                 {"batch", r.batch},     {"streams", r.streams},     {"inputs", r.inputs},
                 {"pin", r.pin.empty() ? json(nullptr) : json(r.pin)}};
  j["session_create_ms"] = r.session_create_ms;
  j["first_inference_ms"] = r.first_inference_ms;
  j["iterations"] = r.latency.count;
  j["latency_us"] = SummaryJson(r.latency);
  j["wall_s"] = r.wall_s;
  j["throughput_per_s"] = r.throughput_per_s;
  j["items_per_s"] = r.items_per_s;
  j["peak_rss_bytes"] = OrNull(r.peak_rss_bytes);
  j["arena_bytes"] = OrNull(r.arena_bytes);
  j["allocations_per_run"] = OrNull(r.allocations_per_run);
  json na = json::object();
  if (!r.peak_rss_bytes) na["peak_rss_bytes"] = r.peak_rss_reason;
  if (!r.arena_bytes) na["arena_bytes"] = r.arena_reason;
  if (!r.allocations_per_run) na["allocations_per_run"] = r.allocations_reason;

  if (r.realtime) {
    const RealtimeResult& rt = *r.realtime;
    j["deadline_misses"] = rt.deadline.misses;
    j["realtime"] = {{"rate_hz", rt.rate_hz},
                     {"deadline_ms", rt.deadline_ms},
                     {"invocations", rt.deadline.invocations},
                     {"deadline_misses", rt.deadline.misses},
                     {"miss_ratio", rt.deadline.miss_ratio},
                     {"worst_response_us", rt.deadline.worst_response_us},
                     {"skipped_periods", rt.skipped_periods},
                     {"kept_up", rt.kept_up},
                     {"keep_up_note", rt.keep_up_note},
                     {"idle_gaps", rt.idle_gaps},
                     {"idle_gap_ms", rt.idle_gap_ms},
                     {"after_idle_response_us", rt.idle_gaps ? SummaryJson(rt.after_idle) : json(nullptr)},
                     {"after_idle_misses", rt.after_idle_misses}};
  } else {
    j["deadline_misses"] = nullptr;
    j["realtime"] = nullptr;
    na["deadline_misses"] = "not a real-time run (use --rate HZ --deadline MS)";
  }

  if (r.energy) {
    j["energy_j"] = r.energy->joules;
    j["average_power_w"] = r.energy->average_power_w;
    j["energy_source"] = r.energy->source;
  } else {
    j["energy_j"] = nullptr;
    j["average_power_w"] = nullptr;
    j["energy_source"] = nullptr;
    na["energy_j"] = r.energy_reason;
  }

  if (r.profile) {
    json ops = json::array(), nodes = json::array();
    for (const auto& o : r.profile->by_op_type) {
      ops.push_back({{"op_type", o.op_type}, {"total_us", o.total_us}, {"share", o.share}, {"calls", o.calls}});
    }
    for (const auto& n : r.profile->top_nodes) {
      nodes.push_back({{"name", n.name}, {"op_type", n.op_type}, {"mean_us", n.mean_us}, {"share", n.share}});
    }
    j["profile"] = {{"by_op_type", ops}, {"top_nodes", nodes}};
  } else {
    j["profile"] = nullptr;
    na["profile"] = r.profile_reason;
  }
  j["not_available"] = na;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Status WriteBenchJson(const BenchReport& report, const std::string& path) {
  return WriteFileAtomically(path, BenchReportToJson(report));
}

}  // namespace edgerun::bench
