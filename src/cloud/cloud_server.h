// The cloud service's HTTP API (docs/cloud.md): batch ingest, event and device queries, its own
// /metrics and /healthz, served by cpp-httplib on a bounded worker pool.
// Robustness: bodies are limited (413 beyond max_body_bytes, chunked bodies included), reads and
// writes time out, JSON nesting is limited, every error is a JSON `{"error": ...}` with a 4xx/5xx
// code, and exceptions never leave a handler.
// Thread-safety: Bind and Serve from one thread; Stop and metrics() from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cloud/cloud_metrics.h"
#include "cloud/cloud_store.h"
#include "edgerun/status.h"

namespace edgerun::cloud {

struct CloudServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 picks a free port
  size_t max_body_bytes = 4u << 20;
  int threads = 8;                       // worker threads
  size_t max_pending_connections = 256;  // accepted but not yet served; accept waits beyond
  int read_timeout_s = 5;
  int write_timeout_s = 5;
  int keep_alive_timeout_s = 3;  // also bounds how long a graceful stop waits for idle clients
  size_t keep_alive_max_requests = 100;
  // Wall clock in milliseconds since the epoch (last_seen, received time); system clock if empty.
  std::function<int64_t()> now_ms;
  // Receives one structured JSON log line (no newline); stderr if empty.
  std::function<void(const std::string&)> log;
};

class CloudServer {
 public:
  // `store` must outlive the server.
  CloudServer(CloudStore* store, CloudServerOptions options);
  ~CloudServer();
  CloudServer(const CloudServer&) = delete;
  CloudServer& operator=(const CloudServer&) = delete;

  // Binds the listening socket. Returns the port (the chosen one when options.port is 0), or
  // Unavailable naming the address when it cannot be bound.
  Result<int> Bind();
  // Serves until Stop(); in-flight requests finish first. Returns Ok after Stop, Internal when
  // the listener fails on its own.
  Status Serve();
  // Asks Serve to return; safe before, during or after Serve, and more than once. Not
  // async-signal-safe: call it from a thread that waited for the signal.
  void Stop();

  CloudMetrics& metrics() { return metrics_; }

 private:
  class Impl;
  CloudMetrics metrics_;  // declared first: outlives impl_
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgerun::cloud
