// AgentMetrics: the agent's counters and histograms, rendered as Prometheus text (version
// 0.0.4). Every update is a relaxed atomic operation: safe and wait-free from the inference
// thread. Label sets are closed lists fixed at construction.
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace edgerun::agent {

class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A counter family with one closed label dimension.
class LabeledCounter {
 public:
  explicit LabeledCounter(std::vector<std::string> labels);
  // Unknown labels are counted under the last label of the list ("other" by convention).
  void Inc(const std::string& label, uint64_t n = 1);
  uint64_t value(const std::string& label) const;
  const std::vector<std::string>& labels() const { return labels_; }

 private:
  size_t Index(const std::string& label) const;
  std::vector<std::string> labels_;
  std::unique_ptr<std::atomic<uint64_t>[]> values_;
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double v);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  // Appends the _bucket/_sum/_count lines of metric `name`.
  void Render(const std::string& name, std::string* out) const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // non-cumulative; last = +Inf
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Values read at scrape time from other components.
struct GaugeSnapshot {
  uint64_t outbox_depth = 0;
  uint64_t outbox_bytes = 0;
  size_t queue_depth = 0;
  double seconds_since_last_sync = -1;  // -1 = never synced
};

class AgentMetrics {
 public:
  AgentMetrics();

  Histogram inference_latency_seconds;
  Histogram confidence;
  Counter inferences;
  LabeledCounter inference_errors;   // kind: wrong_size, non_finite, engine, other
  Counter routed;                    // results routed to the outbox
  LabeledCounter routed_by;          // route: least_confidence, margin, entropy, sample, other
  Counter outbox_committed;          // events committed to the outbox
  LabeledCounter outbox_drops;       // reason: queue_full, drop_oldest, reject_new, too_large, rejected_by_cloud, write_error, other
  Counter sync_successes;
  LabeledCounter sync_failures;      // reason: network, http_4xx, http_5xx, other
  Counter events_uploaded;
  LabeledCounter input_rejected;     // reason: malformed, oversized, wrong_size, non_finite, bad_json, timeout, disconnect_mid_frame, too_many_connections, other
  Counter input_requests;

  // model_info labels.
  std::string model, model_version, model_sha256, device_id;

  std::string Render(const GaugeSnapshot& gauges) const;
};

}  // namespace edgerun::agent
