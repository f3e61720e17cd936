// Subcommands of the edgerun CLI. Each returns the process exit code (0 success, 1 failure,
// 2 usage error) and prints errors to stderr.
#pragma once

#include <string>
#include <vector>

#include "edgerun/session.h"

namespace CLI {
class App;
}

namespace edgerun::cli {

void AddRunCommand(CLI::App& app, int* exit_code);
void AddInfoCommand(CLI::App& app, int* exit_code);
void AddBenchCommand(CLI::App& app, int* exit_code);
void AddPlanCommand(CLI::App& app, int* exit_code);
void AddOptimizeCommand(CLI::App& app, int* exit_code);
void AddAgentCommand(CLI::App& app, int* exit_code);
void AddCloudCommand(CLI::App& app, int* exit_code);

// Reads an input file (.pb TensorProto or .npy) into a tensor; the error names the file.
Result<Tensor> ReadTensorFile(const std::string& path);

}  // namespace edgerun::cli
