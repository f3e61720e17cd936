// `edgerun plan`: estimates for running a model on a catalog target (fit in memory, a
// compute/bandwidth latency floor, the dtype it must run in) and the cloud-or-edge comparison
// at a request rate. Everything here is an estimate from vendor peak figures, not a measurement.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/targets.h"
#include "ir/graph.h"
#include "onnx/shape_inference.h"

namespace edgerun::bench {

struct ModelFootprint {
  int64_t parameter_count = 0;
  int64_t parameter_bytes = 0;         // as stored in the model
  int64_t peak_activation_bytes = 0;   // largest sum of live values, graph order, dynamic dims 1
  int64_t input_bytes = 0;             // per inference (what a cloud call uploads)
  int64_t flops = 0;                   // per inference (multiply-add = 2)
  bool activations_complete = true;    // false when some value shapes were unknown (counted as 0)
  std::string stored_dtype = "fp32";   // dominant initializer dtype: fp32, fp16, int8
};

// Footprint from the IR and inferred shapes; `flops` comes from ComputeModelStats.
ModelFootprint ComputeFootprint(const ir::Graph& graph, const onnxio::InferredShapes& shapes, int64_t flops);

struct PlanEstimate {
  std::string dtype;           // dtype it runs in on the target
  std::string dtype_action;    // "none", "convert to fp16", "quantize to int8 (...)"
  double weight_bytes = 0;     // at `dtype`
  double activation_bytes = 0;
  double available_bytes = 0;  // memory_gb * usable fraction
  bool fits = false;
  std::string fit_note;
  double compute_floor_ms = 0;    // flops / peak ops of `dtype`
  double bandwidth_floor_ms = 0;  // (weights + activations) / memory bandwidth
  double latency_floor_ms = 0;    // the larger of the two
  double max_rate_hz = 0;         // 1 / latency floor
};

PlanEstimate EstimateOnTarget(const ModelFootprint& model, const Target& target);

// Assumptions of the cloud-or-edge comparison; every default is documented in docs/bench.md.
struct CostAssumptions {
  double rate_hz = 10;                  // requests per second, around the clock
  double cloud_rtt_ms = 50;             // network round trip to the region (50-500 ms in practice)
  double cloud_server_ms = 2;           // server-side inference time on a data-center accelerator
  double cloud_usd_per_million = 10;    // managed inference endpoint, per million requests
  double uplink_usd_per_gb = 0.5;       // metered uplink (cellular IoT) for the request payloads
  double usd_per_kwh = 0.15;
  double amortize_months = 36;          // hardware lifetime
};

struct CostComparison {
  double requests_per_month = 0;
  double edge_latency_ms = 0, cloud_latency_ms = 0;
  int devices = 1;  // edge devices needed to serve the rate (latency floor x rate)
  double edge_usd_per_month = 0, edge_hardware_usd_per_month = 0, edge_energy_usd_per_month = 0;
  double cloud_usd_per_month = 0, cloud_requests_usd_per_month = 0, cloud_uplink_usd_per_month = 0;
  std::string verdict;
};

// `edge_latency_ms` is the estimated (or, for the host, measured) latency on the device.
CostComparison CompareCloudEdge(const ModelFootprint& model, double edge_latency_ms, double device_price_usd,
                                double device_power_w, const CostAssumptions& a);

}  // namespace edgerun::bench
