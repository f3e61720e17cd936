// The agent daemon's main loop.
#include "agent/daemon.h"

#include <httplib.h>
#include <signal.h>

#include <cstdio>
#include <thread>

#include "agent/input_server.h"
#include "agent/json_log.h"
#include "agent/replay_source.h"

namespace edgerun::agent {
namespace {

class MetricsServer {
 public:
  explicit MetricsServer(EdgeAgent* agent) : agent_(agent) {}
  ~MetricsServer() { Stop(); }

  Result<int> Start(const std::string& listen) {
    std::string host;
    int port = 0;
    EDGERUN_RETURN_IF_ERROR_CTX(ParseLoopbackAddress(listen, &host, &port), "metrics.listen");
    server_.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(agent_->MetricsText(), "text/plain; version=0.0.4");
    });
    server_.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
    server_.set_read_timeout(5, 0);
    server_.set_write_timeout(5, 0);
    int bound = port == 0 ? server_.bind_to_any_port(host) : (server_.bind_to_port(host, port) ? port : -1);
    if (bound < 0) return IOError("metrics: cannot bind " + listen);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    return bound;
  }

  void Stop() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  EdgeAgent* agent_;
  httplib::Server server_;
  std::thread thread_;
};

void PrintListening(const std::string& line) {
  std::fprintf(stdout, "%s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

int RunDaemon(const DaemonConfig& config) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  SetLogLevel(config.log_level);

  auto agent_or = EdgeAgent::Create(config.agent);
  if (!agent_or.ok()) {
    LogError("agent failed to start", {{"error", agent_or.status().ToString()}});
    return 1;
  }
  std::unique_ptr<EdgeAgent> agent = std::move(agent_or).value();

  std::unique_ptr<MetricsServer> metrics;
  int metrics_port = -1;
  if (!config.metrics_listen.empty()) {
    metrics = std::make_unique<MetricsServer>(agent.get());
    auto port = metrics->Start(config.metrics_listen);
    if (!port.ok()) {
      LogError("metrics failed to start", {{"error", port.status().ToString()}});
      return 1;
    }
    metrics_port = *port;
  }
  std::unique_ptr<InputServer> input;
  if (!config.input.unix_socket.empty() || !config.input.tcp.empty()) {
    auto server = InputServer::Start(config.input, agent.get());
    if (!server.ok()) {
      LogError("input failed to start", {{"error", server.status().ToString()}});
      return 1;
    }
    input = std::move(server).value();
  }
  std::unique_ptr<ReplaySource> replay;
  if (!config.replay.dataset.empty()) {
    auto source = ReplaySource::Create(config.replay, agent.get());
    if (!source.ok()) {
      LogError("replay failed to start", {{"error", source.status().ToString()}});
      return 1;
    }
    replay = std::move(source).value();
  }

  if (metrics) PrintListening("metrics listening on 127.0.0.1:" + std::to_string(metrics_port));
  if (input && !input->unix_path().empty()) PrintListening("input listening on unix:" + input->unix_path());
  if (input && input->tcp_port() >= 0) PrintListening("input listening on 127.0.0.1:" + std::to_string(input->tcp_port()));
  if (replay) replay->Start();
  LogInfo("agent ready", {{"metrics_port", metrics_port},
                          {"input_unix", input ? input->unix_path() : ""},
                          {"input_tcp_port", input ? input->tcp_port() : -1},
                          {"replay", config.replay.dataset}});

  int sig = 0;
  while (sigwait(&signals, &sig) != 0) {
  }
  LogInfo("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  if (replay) replay->Stop();
  if (input) input->Stop();
  agent->Shutdown();  // flushes the hand-off queue to the outbox
  if (metrics) metrics->Stop();
  LogInfo("stopped", {{"outbox_depth", agent->OutboxDepth()}});
  return 0;
}

}  // namespace edgerun::agent
