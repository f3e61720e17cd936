// Background upload of the outbox.
#include "agent/uploader.h"

#include "agent/thread_priority.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace edgerun::agent {

Uploader::Uploader(Outbox* outbox, std::shared_ptr<HttpTransport> transport, std::shared_ptr<Clock> clock,
                   AgentMetrics* metrics, UploaderOptions options)
    : outbox_(outbox),
      transport_(std::move(transport)),
      clock_(std::move(clock)),
      metrics_(metrics),
      options_(std::move(options)),
      rng_(options_.seed),
      batch_limit_(std::max<size_t>(1, options_.batch_size)) {}

Uploader::~Uploader() { Stop(); }

void Uploader::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Uploader::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Uploader::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  cv_.notify_all();
}

void Uploader::Loop() {
  LowerThreadPriority();
  for (;;) {
    int64_t delay_ms = RunOnce();
    std::unique_lock<std::mutex> lock(mu_);
    if (stop_) return;
    if (delay_ms <= 0) continue;
    // A notification only matters when not backing off: a failing cloud is not retried faster
    // because more events arrive.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms);
    bool backing_off = failures_ > 0;
    notified_ = false;
    while (!stop_) {
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) break;
      if (notified_ && !backing_off) {
        notified_ = false;
        if (outbox_->depth() >= batch_limit_) break;
      }
    }
    if (stop_) return;
  }
}

int64_t Uploader::Backoff() {
  ++failures_;
  double base = std::min<double>(options_.backoff_max_ms,
                                 options_.backoff_initial_ms * std::pow(2.0, std::min(failures_ - 1, 30)));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return std::max<int64_t>(1, static_cast<int64_t>(base * jitter(rng_)));
}

int64_t Uploader::RunOnce() {
  const int64_t now_us = clock_->MonotonicMicros();
  const int64_t interval_us = int64_t{options_.interval_ms} * 1000;
  auto rows_or = outbox_->ReadOldest(batch_limit_);
  if (!rows_or.ok()) {
    metrics_->sync_failures.Inc("other");
    return Backoff();
  }
  std::vector<OutboxRow>& rows = *rows_or;
  bool due = last_attempt_us_ < 0 || now_us - last_attempt_us_ >= interval_us;
  if (rows.size() < batch_limit_ && !due) {
    return std::max<int64_t>(1, (last_attempt_us_ + interval_us - now_us + 999) / 1000);
  }

  std::string body = "{\"device_id\":";
  body += nlohmann::json(options_.device_id).dump();
  if (options_.status_json) {
    std::string status = options_.status_json();
    if (!status.empty()) body += ",\"status\":" + status;
  }
  body += ",\"events\":[";
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i) body += ',';
    body += rows[i].body;
  }
  body += "]}";

  last_attempt_us_ = now_us;
  auto res = transport_->PostJson("/api/v1/events", body, options_.token);
  if (!res.ok()) {
    metrics_->sync_failures.Inc("network");
    return Backoff();
  }
  const int code = res->status;
  if (code == 200) {
    std::vector<std::string> ids;
    ids.reserve(rows.size());
    for (const OutboxRow& r : rows) ids.push_back(r.id);
    auto deleted = outbox_->Delete(ids);
    if (!deleted.ok()) {
      metrics_->sync_failures.Inc("other");
      return Backoff();
    }
    metrics_->sync_successes.Inc();
    metrics_->events_uploaded.Inc(rows.size());
    failures_ = 0;
    batch_limit_ = std::max<size_t>(1, options_.batch_size);
    last_success_us_.store(now_us);
    return outbox_->depth() >= batch_limit_ ? 0 : std::max<int64_t>(1, options_.interval_ms);
  }
  if ((code == 413 || code == 400) && !rows.empty()) {
    metrics_->sync_failures.Inc("http_4xx");
    if (rows.size() > 1) {
      batch_limit_ = std::max<size_t>(1, rows.size() / 2);
      return 0;
    }
    // One event the cloud will never take: drop it so the rest can flow.
    (void)outbox_->Delete({rows[0].id});
    metrics_->outbox_drops.Inc("rejected_by_cloud");
    return 0;
  }
  metrics_->sync_failures.Inc(code >= 500 ? "http_5xx" : (code >= 400 ? "http_4xx" : "other"));
  return Backoff();
}

}  // namespace edgerun::agent
