// Uploader: the background sync of the outbox to the cloud (POST /api/v1/events, docs/agent.md).
// Sends the oldest events first, in id order, up to `batch_size` per request, as soon as a full
// batch is waiting or `interval_ms` after the last request (an empty batch is a heartbeat
// carrying the device status). Rows are deleted only after a 200: delivery is at-least-once and
// the cloud de-duplicates by id. Failures back off exponentially with jitter
// (delay = uniform[0.5, 1] * min(max, initial * 2^failures)). A 413 or 400 halves the batch to
// isolate the offending event; a single event the cloud refuses is dropped and counted
// ("rejected_by_cloud") so it cannot block the queue forever.
// Thread-safety: Start/Stop/Notify from any thread; RunOnce is for tests and must not run
// concurrently with the background thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "agent/clock.h"
#include "agent/http_transport.h"
#include "agent/metrics.h"
#include "agent/outbox.h"

namespace edgerun::agent {

struct UploaderOptions {
  std::string device_id;
  std::string token;
  size_t batch_size = 50;
  int interval_ms = 5000;
  int backoff_initial_ms = 500;
  int backoff_max_ms = 60000;
  uint64_t seed = 1;
  // The "status" object sent with each request (JSON text); empty = omitted.
  std::function<std::string()> status_json;
};

class Uploader {
 public:
  Uploader(Outbox* outbox, std::shared_ptr<HttpTransport> transport, std::shared_ptr<Clock> clock,
           AgentMetrics* metrics, UploaderOptions options);
  ~Uploader();  // Stop()

  void Start();
  // Stops the thread; an in-flight request finishes (bounded by the transport's timeout).
  void Stop();
  // Wakes the thread (new events committed).
  void Notify();

  // One sync step; returns how long to wait (ms) before the next one.
  int64_t RunOnce();

  // Monotonic microseconds of the last 200, or -1.
  int64_t last_success_us() const { return last_success_us_.load(); }
  int consecutive_failures() const { return failures_; }

 private:
  int64_t Backoff();
  void Loop();

  Outbox* outbox_;
  std::shared_ptr<HttpTransport> transport_;
  std::shared_ptr<Clock> clock_;
  AgentMetrics* metrics_;
  UploaderOptions options_;
  std::mt19937_64 rng_;
  size_t batch_limit_;
  int failures_ = 0;
  int64_t last_attempt_us_ = -1;
  std::atomic<int64_t> last_success_us_{-1};

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool notified_ = false;
  std::thread thread_;
};

}  // namespace edgerun::agent
