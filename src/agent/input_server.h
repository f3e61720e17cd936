// InputServer: serves inference requests on a Unix domain socket and/or a loopback TCP port
// (frame format in frame_protocol.h). One thread per connection, at most max_connections; a
// started frame must complete within read_timeout_ms and an idle connection is closed after
// idle_timeout_ms. Bad input is answered with an error reply and counted in
// edgerun_input_rejected_total{reason}; the connection stays open unless the framing itself is
// lost (oversized length, timeout, disconnect mid-frame). Other clients are unaffected.
// Thread-safety: Start/Stop from one thread; the server calls EdgeAgent::Infer concurrently.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "agent/config.h"
#include "agent/metrics.h"
#include "edgerun/agent.h"

namespace edgerun::agent {

class InputServer {
 public:
  // Binds the configured listeners and starts accepting. IOError naming the address on failure.
  static Result<std::unique_ptr<InputServer>> Start(const InputConfig& config, EdgeAgent* agent);
  ~InputServer();  // Stop()

  // Closes the listeners and every connection, waits for the connection threads, removes the
  // Unix socket file. Idempotent.
  void Stop();

  const std::string& unix_path() const { return unix_path_; }
  int tcp_port() const { return tcp_port_; }

 private:
  InputServer(const InputConfig& config, EdgeAgent* agent);
  Status Listen();
  void AcceptLoop();
  void Serve(int fd);
  // Handles one payload; returns the reply payload.
  std::string Handle(const std::string& payload);

  InputConfig config_;
  EdgeAgent* agent_;
  AgentMetrics* metrics_;
  std::string unix_path_;
  int tcp_port_ = -1;
  int unix_fd_ = -1;
  int tcp_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  std::thread accept_thread_;
  std::atomic<bool> stop_{false};

  std::mutex mu_;
  std::condition_variable cv_;
  std::set<int> connections_;
  int active_ = 0;
};

}  // namespace edgerun::agent
