// `edgerun agent` (placeholder until it is built).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"

namespace edgerun::cli {

void AddAgentCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("agent", "Run the edge agent daemon");
  cmd->allow_extras();
  cmd->callback([exit_code] {
    std::fprintf(stderr, "edgerun agent: not available in this build\n");
    *exit_code = 1;
  });
}

}  // namespace edgerun::cli
