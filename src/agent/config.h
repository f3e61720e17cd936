// The daemon's configuration file (agent.toml, TOML; format in docs/agent.md): the library's
// AgentConfig plus the daemon's inputs, replay source, metrics listener and log level.
// Thread-safety: pure functions over value types.
#pragma once

#include <string>

#include "edgerun/agent.h"
#include "edgerun/status.h"

namespace edgerun::agent {

struct InputConfig {
  std::string unix_socket;            // path of a Unix domain socket; empty = none
  std::string tcp;                    // "127.0.0.1:PORT" (loopback only; port 0 = any free port); empty = none
  uint32_t max_frame_bytes = 1 << 20; // larger frames are rejected ("oversized") and the connection closed
  int read_timeout_ms = 5000;         // a started frame must complete within this
  int idle_timeout_ms = 60000;        // a connection idle this long between frames is closed
  int max_connections = 32;
};

struct ReplayConfig {
  std::string dataset;                // dataset path (src/data layout); empty = no replay
  double rate_hz = 100;               // 0 = as fast as possible
  bool loop = true;                   // start over at the end
  uint64_t limit = 0;                 // stop after this many inferences (0 = no limit)
};

struct DaemonConfig {
  AgentConfig agent;
  InputConfig input;
  ReplayConfig replay;
  std::string metrics_listen = "127.0.0.1:0";  // empty = no metrics server
  std::string log_level = "info";
};

// Parses TOML text. Relative paths (model, outbox, dataset, unix socket, token_file) resolve
// against `base_dir`. InvalidArgument naming the key for a wrong type, an unknown key or an
// out-of-range value; the parser's line and column for TOML syntax errors.
Result<DaemonConfig> ParseDaemonConfig(const std::string& toml_text, const std::string& base_dir);
// Reads and parses a file; errors are prefixed with the path.
Result<DaemonConfig> LoadDaemonConfigFile(const std::string& path);

// Splits "host:port"; InvalidArgument unless the host is a loopback address (127.0.0.1,
// localhost or ::1) and the port is 0..65535.
Status ParseLoopbackAddress(const std::string& text, std::string* host, int* port);

}  // namespace edgerun::agent
