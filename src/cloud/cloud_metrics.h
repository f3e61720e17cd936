// The cloud service's own metrics, rendered in the Prometheus text format 0.0.4:
//   edgerun_cloud_http_requests_total{route,method,code}       counter
//   edgerun_cloud_http_request_duration_seconds{route}          histogram
//   edgerun_cloud_events_ingested_total                         counter (newly stored)
//   edgerun_cloud_events_duplicate_total                        counter (already stored ids)
//   edgerun_cloud_batches_rejected_total{reason}                counter (bad_request, unauthorized,
//                                                               forbidden, too_large, store_error)
//   edgerun_cloud_build_info{version}                           gauge, always 1
// Route labels are fixed route patterns (or "other"), so label cardinality stays bounded.
// Thread-safety: all methods are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace edgerun::cloud {

class CloudMetrics {
 public:
  static constexpr std::array<double, 12> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                              0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  // Counts one finished request; `seconds` < 0 records the count without a latency sample.
  void ObserveRequest(const std::string& route, const std::string& method, int code, double seconds);
  void AddIngested(int64_t n);
  void AddDuplicates(int64_t n);
  void AddRejectedBatch(const std::string& reason);

  // The exposition text (ends with a newline).
  std::string Render() const;

 private:
  struct Histogram {
    std::array<uint64_t, kLatencyBuckets.size()> buckets{};  // non-cumulative counts
    uint64_t count = 0;
    double sum = 0;
  };

  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::map<std::string, uint64_t> rejected_;
  uint64_t ingested_ = 0;
  uint64_t duplicates_ = 0;
};

}  // namespace edgerun::cloud
