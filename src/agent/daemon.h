// The `edgerun agent` daemon: the EdgeAgent plus its inputs (socket, replay), the /metrics
// endpoint and signal handling. Prints one "... listening on ..." line per listener to stdout
// once every listener is bound; SIGTERM/SIGINT stop the inputs, flush the hand-off queue to
// the outbox and return 0.
// Thread-safety: call RunDaemon once, from the main thread, before any other thread exists
// (it blocks SIGTERM/SIGINT so every thread it starts inherits the mask).
#pragma once

#include "agent/config.h"

namespace edgerun::agent {

// Runs until SIGTERM/SIGINT. Returns the process exit code (0 after a graceful stop, 1 when
// startup failed; the error is logged).
int RunDaemon(const DaemonConfig& config);

}  // namespace edgerun::agent
