// Prometheus text rendering of CloudMetrics.
#include "cloud/cloud_metrics.h"

#include <cstdio>

#include "cloud/cloud_version.h"

namespace edgerun::cloud {

namespace {

// Label values are our own route names and methods, but escape anyway (\, ", newline).
std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Num(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

}  // namespace

void CloudMetrics::ObserveRequest(const std::string& route, const std::string& method, int code, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, method, code}];
  if (seconds < 0) return;
  Histogram& h = latency_[route];
  size_t i = 0;
  while (i < kLatencyBuckets.size() && seconds > kLatencyBuckets[i]) ++i;
  if (i < kLatencyBuckets.size()) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

void CloudMetrics::AddIngested(int64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  ingested_ += static_cast<uint64_t>(n);
}

void CloudMetrics::AddDuplicates(int64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  duplicates_ += static_cast<uint64_t>(n);
}

void CloudMetrics::AddRejectedBatch(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  ++rejected_[reason];
}

std::string CloudMetrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  out += "# HELP edgerun_cloud_build_info Build of the edgerun cloud service.\n";
  out += "# TYPE edgerun_cloud_build_info gauge\n";
  out += std::string("edgerun_cloud_build_info{version=\"") + CloudVersion() + "\"} 1\n";

  out += "# HELP edgerun_cloud_http_requests_total HTTP requests by route, method and status code.\n";
  out += "# TYPE edgerun_cloud_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [route, method, code] = key;
    out += "edgerun_cloud_http_requests_total{route=\"" + Escape(route) + "\",method=\"" + Escape(method) +
           "\",code=\"" + std::to_string(code) + "\"} " + std::to_string(n) + "\n";
  }

  out += "# HELP edgerun_cloud_http_request_duration_seconds Time from routing a request to its response.\n";
  out += "# TYPE edgerun_cloud_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    std::string label = "route=\"" + Escape(route) + "\"";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      cumulative += h.buckets[i];
      out += "edgerun_cloud_http_request_duration_seconds_bucket{" + label + ",le=\"" + Num(kLatencyBuckets[i], 6) +
             "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "edgerun_cloud_http_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
    out += "edgerun_cloud_http_request_duration_seconds_sum{" + label + "} " + Num(h.sum, 9) + "\n";
    out += "edgerun_cloud_http_request_duration_seconds_count{" + label + "} " + std::to_string(h.count) + "\n";
  }

  out += "# HELP edgerun_cloud_events_ingested_total Events newly stored.\n";
  out += "# TYPE edgerun_cloud_events_ingested_total counter\n";
  out += "edgerun_cloud_events_ingested_total " + std::to_string(ingested_) + "\n";
  out += "# HELP edgerun_cloud_events_duplicate_total Events received again with an id already stored.\n";
  out += "# TYPE edgerun_cloud_events_duplicate_total counter\n";
  out += "edgerun_cloud_events_duplicate_total " + std::to_string(duplicates_) + "\n";
  out += "# HELP edgerun_cloud_batches_rejected_total Ingest batches rejected, by reason.\n";
  out += "# TYPE edgerun_cloud_batches_rejected_total counter\n";
  for (const auto& [reason, n] : rejected_) {
    out += "edgerun_cloud_batches_rejected_total{reason=\"" + Escape(reason) + "\"} " + std::to_string(n) + "\n";
  }
  return out;
}

}  // namespace edgerun::cloud
