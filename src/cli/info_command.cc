// `edgerun info MODEL`: inputs, outputs, operators, parameters, FLOPs, unsupported ops.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"

namespace edgerun::cli {

void AddInfoCommand(CLI::App& app, int* exit_code) {
  auto model = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("info", "Describe a model: I/O, operators, parameters, FLOPs, support");
  cmd->add_option("model", *model, "ONNX model file")->required();
  cmd->callback([model, exit_code]() { *exit_code = 1; });
}

}  // namespace edgerun::cli
