// `edgerun cloud` (placeholder until it is built).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"

namespace edgerun::cli {

void AddCloudCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("cloud", "Run the cloud service");
  cmd->allow_extras();
  cmd->callback([exit_code] {
    std::fprintf(stderr, "edgerun cloud: not available in this build\n");
    *exit_code = 1;
  });
}

}  // namespace edgerun::cli
