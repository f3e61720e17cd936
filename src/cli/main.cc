// edgerun: the command-line tool. Subcommands are registered from their own files.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"edgerun: run, inspect and measure ONNX models on edge devices"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "edgerun 0.1.0");
  int exit_code = 0;
  edgerun::cli::AddInfoCommand(app, &exit_code);
  edgerun::cli::AddRunCommand(app, &exit_code);
  edgerun::cli::AddBenchCommand(app, &exit_code);
  edgerun::cli::AddPlanCommand(app, &exit_code);
  edgerun::cli::AddOptimizeCommand(app, &exit_code);
  edgerun::cli::AddAgentCommand(app, &exit_code);
  edgerun::cli::AddCloudCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return exit_code;
}
