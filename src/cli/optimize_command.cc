// `edgerun optimize` (placeholder until it is built).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"

namespace edgerun::cli {

void AddOptimizeCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("optimize", "Optimize a model graph and write it as ONNX");
  cmd->allow_extras();
  cmd->callback([exit_code] {
    std::fprintf(stderr, "edgerun optimize: not available in this build\n");
    *exit_code = 1;
  });
}

}  // namespace edgerun::cli
