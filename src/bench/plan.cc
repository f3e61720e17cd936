#include "bench/plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace edgerun::bench {

namespace {

constexpr double kSecondsPerMonth = 30.44 * 86400;
constexpr double kHoursPerMonth = 30.44 * 24;

// Bytes of a value with a known shape (dynamic dims as 1); -1 when unknown.
int64_t ValueBytes(const onnxio::InferredShapes& shapes, const std::string& name) {
  auto it = shapes.types.find(name);
  if (it == shapes.types.end()) return -1;
  const ir::TypeInfo& t = it->second;
  if (t.kind != ir::TypeInfo::Kind::kTensor || !t.has_shape || DataTypeSize(t.dtype) == 0) return -1;
  int64_t n = 1;
  for (const auto& d : t.dims) n *= d.fixed() ? d.value : 1;
  return n * static_cast<int64_t>(DataTypeSize(t.dtype));
}

std::string ShortDtype(DataType dt) {
  switch (dt) {
    case DataType::kFloat16: case DataType::kBFloat16: return "fp16";
    case DataType::kInt8: case DataType::kUint8: return "int8";
    default: return "fp32";
  }
}

double BytesPerElement(const std::string& dtype) {
  if (dtype == "int8") return 1;
  if (dtype == "fp16" || dtype == "int16") return 2;
  return 4;
}

bool Has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

ModelFootprint ComputeFootprint(const ir::Graph& g, const onnxio::InferredShapes& shapes, int64_t flops) {
  ModelFootprint f;
  f.flops = flops;
  std::map<std::string, int64_t> bytes_by_dtype;
  for (const auto& [name, t] : g.initializers) {
    f.parameter_count += t.numel();
    f.parameter_bytes += static_cast<int64_t>(t.nbytes());
    bytes_by_dtype[ShortDtype(t.dtype())] += static_cast<int64_t>(t.nbytes());
  }
  int64_t best = -1;
  for (const auto& [dt, b] : bytes_by_dtype) {
    if (b > best) best = b, f.stored_dtype = dt;
  }
  // Live-set simulation in graph order: a value lives from its producer to its last consumer.
  std::map<std::string, size_t> last_use;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto& in : g.nodes[i].inputs) {
      if (!in.empty()) last_use[in] = i;
    }
  }
  std::set<std::string> outputs;
  for (const auto& o : g.outputs) outputs.insert(o.name);
  std::map<std::string, int64_t> live;
  auto add = [&](const std::string& name) {
    if (name.empty() || g.IsInitializer(name) || live.count(name)) return;
    int64_t b = ValueBytes(shapes, name);
    if (b < 0) {
      f.activations_complete = false;
      b = 0;
    }
    live[name] = b;
  };
  int64_t current = 0;
  for (const auto* vi : g.RealInputs()) {
    add(vi->name);
    int64_t b = ValueBytes(shapes, vi->name);
    f.input_bytes += std::max<int64_t>(b, 0);
  }
  for (const auto& [n, b] : live) current += b;
  f.peak_activation_bytes = current;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto& out : g.nodes[i].outputs) {
      if (out.empty() || live.count(out)) continue;
      add(out);
      current += live[out];
    }
    f.peak_activation_bytes = std::max(f.peak_activation_bytes, current);
    for (auto it = live.begin(); it != live.end();) {
      auto lu = last_use.find(it->first);
      const bool dead = !outputs.count(it->first) && (lu == last_use.end() ? true : lu->second <= i);
      if (dead) {
        current -= it->second;
        it = live.erase(it);
      } else {
        ++it;
      }
    }
  }
  return f;
}

PlanEstimate EstimateOnTarget(const ModelFootprint& m, const Target& t) {
  PlanEstimate e;
  e.dtype = t.preferred_dtype;
  if (m.stored_dtype == "int8" && Has(t.dtypes, "int8")) e.dtype = "int8";
  const bool float_ok = Has(t.dtypes, "fp32") || Has(t.dtypes, "fp16");
  if (e.dtype == m.stored_dtype) {
    e.dtype_action = "none (the model is already " + m.stored_dtype + ")";
  } else if (e.dtype == "fp16") {
    e.dtype_action = Has(t.dtypes, "fp32") ? "convert to fp16 (recommended; fp32 also runs, slower)"
                                           : "must convert to fp16: the accelerator runs no fp32";
  } else if (e.dtype == "int8") {
    e.dtype_action = float_ok ? "quantize to int8 for peak throughput (float also runs)"
                              : "must quantize to int8: the accelerator runs " + std::string(Has(t.dtypes, "int16") ? "8/16-bit" : "int8") +
                                    " only (post-training quantization with a calibration set)";
  } else {
    e.dtype_action = "run as " + e.dtype;
  }
  const double scale = BytesPerElement(e.dtype) / 4.0;
  e.weight_bytes = static_cast<double>(m.parameter_count) * BytesPerElement(e.dtype);
  e.activation_bytes = static_cast<double>(m.peak_activation_bytes) * scale;
  e.available_bytes = t.memory_gb * t.usable_memory_fraction * 1073741824.0;
  char buf[256];
  if (t.memory_is_parameter_cache) {
    e.fits = true;
    const bool cached = e.weight_bytes <= e.available_bytes;
    std::snprintf(buf, sizeof buf, "parameters %s the %.1f MiB on-chip cache%s", cached ? "fit in" : "exceed",
                  e.available_bytes / 1048576.0, cached ? "" : ": they stream from the host every inference (much slower)");
    e.fit_note = buf;
  } else {
    e.fits = e.weight_bytes + e.activation_bytes <= e.available_bytes;
    std::snprintf(buf, sizeof buf, "needs %.2f MiB (weights %.2f + peak activations %.2f) of %.0f MiB usable", (e.weight_bytes + e.activation_bytes) / 1048576.0,
                  e.weight_bytes / 1048576.0, e.activation_bytes / 1048576.0, e.available_bytes / 1048576.0);
    e.fit_note = buf;
  }
  if (!m.activations_complete) e.fit_note += "; some activation shapes unknown (counted as 0)";
  auto tops = t.peak_tops.find(e.dtype);
  double peak = tops != t.peak_tops.end() ? tops->second : 0;
  if (peak <= 0) {
    for (const auto& [dt, v] : t.peak_tops) peak = std::max(peak, v);
  }
  e.compute_floor_ms = static_cast<double>(m.flops) / (peak * 1e12) * 1e3;
  double moved = e.activation_bytes + (t.memory_is_parameter_cache && e.weight_bytes <= e.available_bytes ? 0 : e.weight_bytes);
  if (t.memory_is_parameter_cache) moved = static_cast<double>(m.input_bytes) * scale + (e.weight_bytes <= e.available_bytes ? 0 : e.weight_bytes);
  e.bandwidth_floor_ms = moved / (t.memory_bandwidth_gbps * 1e9) * 1e3;
  e.latency_floor_ms = std::max(e.compute_floor_ms, e.bandwidth_floor_ms);
  e.max_rate_hz = e.latency_floor_ms > 0 ? 1e3 / e.latency_floor_ms : 0;
  return e;
}

CostComparison CompareCloudEdge(const ModelFootprint& m, double edge_latency_ms, double price_usd, double power_w,
                                const CostAssumptions& a) {
  CostComparison c;
  c.requests_per_month = a.rate_hz * kSecondsPerMonth;
  c.edge_latency_ms = edge_latency_ms;
  c.cloud_latency_ms = a.cloud_rtt_ms + a.cloud_server_ms;
  c.devices = std::max(1, static_cast<int>(std::ceil(a.rate_hz * edge_latency_ms / 1e3 - 1e-9)));
  c.edge_hardware_usd_per_month = c.devices * price_usd / a.amortize_months;
  c.edge_energy_usd_per_month = c.devices * power_w * kHoursPerMonth / 1e3 * a.usd_per_kwh;
  c.edge_usd_per_month = c.edge_hardware_usd_per_month + c.edge_energy_usd_per_month;
  c.cloud_requests_usd_per_month = c.requests_per_month / 1e6 * a.cloud_usd_per_million;
  c.cloud_uplink_usd_per_month = c.requests_per_month * static_cast<double>(m.input_bytes) / 1e9 * a.uplink_usd_per_gb;
  c.cloud_usd_per_month = c.cloud_requests_usd_per_month + c.cloud_uplink_usd_per_month;
  char buf[320];
  const bool cheaper = c.edge_usd_per_month <= c.cloud_usd_per_month;
  const bool faster = c.edge_latency_ms <= c.cloud_latency_ms;
  char cost[128];
  if (c.edge_usd_per_month <= 0) {
    std::snprintf(cost, sizeof cost, "edge adds no running cost (no device price or power given)");
  } else {
    std::snprintf(cost, sizeof cost, "%s is %.1fx cheaper", cheaper ? "edge" : "cloud",
                  cheaper ? c.cloud_usd_per_month / c.edge_usd_per_month : c.edge_usd_per_month / std::max(c.cloud_usd_per_month, 1e-9));
  }
  std::snprintf(buf, sizeof buf, "%s at %.3g req/s; %s has the lower latency (%.3g vs %.3g ms)%s", cost, a.rate_hz,
                faster ? "edge" : "cloud", faster ? c.edge_latency_ms : c.cloud_latency_ms,
                faster ? c.cloud_latency_ms : c.edge_latency_ms,
                cheaper && faster ? ": run it on the edge" : (!cheaper && !faster ? ": the cloud wins on both" : ""));
  c.verdict = buf;
  return c;
}

}  // namespace edgerun::bench
