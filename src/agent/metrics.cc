// Prometheus text rendering of the agent's metrics.
#include "agent/metrics.h"

#include <cmath>
#include <cstdio>

namespace edgerun::agent {
namespace {

std::string FormatDouble(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

std::string EscapeLabel(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void Header(std::string* out, const char* name, const char* type, const char* help) {
  *out += "# HELP ";
  *out += name;
  *out += ' ';
  *out += help;
  *out += "\n# TYPE ";
  *out += name;
  *out += ' ';
  *out += type;
  *out += '\n';
}

void Sample(std::string* out, const std::string& name, const std::string& labels, double v) {
  *out += name;
  if (!labels.empty()) *out += "{" + labels + "}";
  *out += ' ';
  *out += FormatDouble(v);
  *out += '\n';
}

void RenderLabeled(std::string* out, const char* name, const char* label, const char* help, const LabeledCounter& c) {
  Header(out, name, "counter", help);
  for (const std::string& l : c.labels()) {
    Sample(out, name, std::string(label) + "=\"" + EscapeLabel(l) + "\"", static_cast<double>(c.value(l)));
  }
}

}  // namespace

LabeledCounter::LabeledCounter(std::vector<std::string> labels)
    : labels_(std::move(labels)), values_(new std::atomic<uint64_t>[labels_.size()]) {
  for (size_t i = 0; i < labels_.size(); ++i) values_[i].store(0);
}

size_t LabeledCounter::Index(const std::string& label) const {
  for (size_t i = 0; i < labels_.size(); ++i) {
    if (labels_[i] == label) return i;
  }
  return labels_.size() - 1;
}

void LabeledCounter::Inc(const std::string& label, uint64_t n) {
  values_[Index(label)].fetch_add(n, std::memory_order_relaxed);
}

uint64_t LabeledCounter::value(const std::string& label) const {
  return values_[Index(label)].load(std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

void Histogram::Render(const std::string& name, std::string* out) const {
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    double le = i < bounds_.size() ? bounds_[i] : INFINITY;
    Sample(out, name + "_bucket", "le=\"" + FormatDouble(le) + "\"", static_cast<double>(cumulative));
  }
  Sample(out, name + "_sum", "", sum());
  Sample(out, name + "_count", "", static_cast<double>(cumulative));
}

AgentMetrics::AgentMetrics()
    : inference_latency_seconds({25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3,
                                 250e-3, 1.0}),
      confidence({0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99, 1.0}),
      inference_errors({"wrong_size", "non_finite", "engine", "other"}),
      routed_by({"least_confidence", "margin", "entropy", "sample", "other"}),
      outbox_drops({"queue_full", "drop_oldest", "reject_new", "too_large", "rejected_by_cloud", "write_error", "other"}),
      sync_failures({"network", "http_4xx", "http_5xx", "other"}),
      input_rejected({"malformed", "oversized", "wrong_size", "non_finite", "bad_json", "timeout",
                      "disconnect_mid_frame", "too_many_connections", "other"}) {}

std::string AgentMetrics::Render(const GaugeSnapshot& g) const {
  std::string out;
  out.reserve(8192);
  Header(&out, "edgerun_inference_latency_seconds", "histogram", "Infer latency: preprocess, model and postprocess.");
  inference_latency_seconds.Render("edgerun_inference_latency_seconds", &out);
  Header(&out, "edgerun_inference_confidence", "histogram", "Top-class probability of each inference.");
  confidence.Render("edgerun_inference_confidence", &out);
  Header(&out, "edgerun_inferences_total", "counter", "Successful inferences.");
  Sample(&out, "edgerun_inferences_total", "", static_cast<double>(inferences.value()));
  RenderLabeled(&out, "edgerun_inference_errors_total", "kind", "Failed inferences by kind.", inference_errors);
  RenderLabeled(&out, "edgerun_routed_total", "route", "Results routed to the outbox by reason.", routed_by);
  Header(&out, "edgerun_outbox_committed_total", "counter", "Events committed to the outbox.");
  Sample(&out, "edgerun_outbox_committed_total", "", static_cast<double>(outbox_committed.value()));
  Header(&out, "edgerun_outbox_depth", "gauge", "Events in the outbox not yet acknowledged by the cloud.");
  Sample(&out, "edgerun_outbox_depth", "", static_cast<double>(g.outbox_depth));
  Header(&out, "edgerun_outbox_bytes", "gauge", "Payload bytes in the outbox.");
  Sample(&out, "edgerun_outbox_bytes", "", static_cast<double>(g.outbox_bytes));
  Header(&out, "edgerun_handoff_queue_depth", "gauge", "Events waiting in the in-memory hand-off queue.");
  Sample(&out, "edgerun_handoff_queue_depth", "", static_cast<double>(g.queue_depth));
  RenderLabeled(&out, "edgerun_outbox_drops_total", "reason", "Events dropped before reaching the cloud, by reason.",
                outbox_drops);
  Header(&out, "edgerun_sync_successes_total", "counter", "Upload requests acknowledged by the cloud.");
  Sample(&out, "edgerun_sync_successes_total", "", static_cast<double>(sync_successes.value()));
  RenderLabeled(&out, "edgerun_sync_failures_total", "reason", "Failed upload requests.", sync_failures);
  Header(&out, "edgerun_events_uploaded_total", "counter", "Events acknowledged by the cloud and deleted.");
  Sample(&out, "edgerun_events_uploaded_total", "", static_cast<double>(events_uploaded.value()));
  Header(&out, "edgerun_seconds_since_last_sync", "gauge",
         "Seconds since the last acknowledged upload (-1 before the first).");
  Sample(&out, "edgerun_seconds_since_last_sync", "", g.seconds_since_last_sync);
  Header(&out, "edgerun_input_requests_total", "counter", "Frames received on the input socket.");
  Sample(&out, "edgerun_input_requests_total", "", static_cast<double>(input_requests.value()));
  RenderLabeled(&out, "edgerun_input_rejected_total", "reason", "Input frames or connections rejected.",
                input_rejected);
  Header(&out, "edgerun_model_info", "gauge", "The loaded model.");
  Sample(&out, "edgerun_model_info",
         "model=\"" + EscapeLabel(model) + "\",version=\"" + EscapeLabel(model_version) + "\",sha256=\"" +
             EscapeLabel(model_sha256) + "\",device=\"" + EscapeLabel(device_id) + "\"",
         1);
  return out;
}

}  // namespace edgerun::agent
