// `edgerun agent --config agent.toml`: runs the edge agent daemon (docs/agent.md).
#include <CLI/CLI.hpp>
#include <cstdio>

#include "agent/config.h"
#include "agent/daemon.h"
#include "cli/commands.h"

namespace edgerun::cli {

void AddAgentCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("agent", "Run the edge agent daemon (docs/agent.md)");
  auto config_path = std::make_shared<std::string>();
  cmd->add_option("--config", *config_path, "agent.toml")->required();
  cmd->callback([exit_code, config_path] {
    auto config = edgerun::agent::LoadDaemonConfigFile(*config_path);
    if (!config.ok()) {
      std::fprintf(stderr, "edgerun agent: %s\n", config.status().ToString().c_str());
      *exit_code = 2;
      return;
    }
    *exit_code = edgerun::agent::RunDaemon(*config);
  });
}

}  // namespace edgerun::cli
