// `edgerun optimize MODEL -o OUT.onnx [--level none|basic|all]`: loads a model, runs the graph
// passes and writes the result as ONNX (edgerun's own operators under the com.edgerun opset
// import). Prints node counts per operator before and after. Exit 1 when the model cannot be
// loaded, optimized or written; 2 for usage errors (such as an unknown level).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>
#include <set>

#include "cli/commands.h"
#include "onnx/model_loader.h"
#include "onnx/model_writer.h"
#include "passes/pipeline.h"

namespace edgerun::cli {

namespace {

struct OptimizeArgs {
  std::string model;
  std::string output;
  std::string level = "all";
};

std::map<std::string, int> CountOps(const ir::Graph& g) {
  std::map<std::string, int> counts;
  for (const auto& n : g.nodes) counts[n.domain.empty() ? n.op_type : n.domain + "." + n.op_type]++;
  return counts;
}

int OptimizeMain(const OptimizeArgs& a) {
  auto level = passes::ParseOptLevel(a.level);
  if (!level.ok()) {
    std::fprintf(stderr, "error: --level: %s\n", level.status().message().c_str());
    return 2;
  }
  auto model = onnxio::LoadModelFromFile(a.model);
  if (!model.ok()) {
    std::fprintf(stderr, "error: %s\n", model.status().ToString().c_str());
    return 1;
  }
  // The loaded graph is owned by this model only: optimize it in place.
  ir::Graph& g = *model->graph;
  const auto before = CountOps(g);
  const size_t nodes_before = g.nodes.size();
  Status st = passes::OptimizeGraph(g, *level);
  if (!st.ok()) {
    std::fprintf(stderr, "error: optimizing '%s': %s\n", a.model.c_str(), st.ToString().c_str());
    return 1;
  }
  for (const auto& [d, v] : g.opsets) model->opsets[d] = v;
  st = onnxio::WriteModelToFile(*model, a.output);
  if (!st.ok()) {
    std::fprintf(stderr, "error: writing '%s': %s\n", a.output.c_str(), st.ToString().c_str());
    return 1;
  }
  const auto after = CountOps(g);
  std::set<std::string> ops;
  for (const auto& [op, c] : before) ops.insert(op);
  for (const auto& [op, c] : after) ops.insert(op);
  std::printf("optimized %s -> %s (level %s)\n", a.model.c_str(), a.output.c_str(), a.level.c_str());
  std::printf("  %-28s %8s %8s\n", "operator", "before", "after");
  for (const auto& op : ops) {
    auto b = before.find(op);
    auto f = after.find(op);
    std::printf("  %-28s %8d %8d\n", op.c_str(), b == before.end() ? 0 : b->second, f == after.end() ? 0 : f->second);
  }
  std::printf("  %-28s %8zu %8zu\n", "total", nodes_before, g.nodes.size());
  return 0;
}

}  // namespace

void AddOptimizeCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<OptimizeArgs>();
  auto* cmd = app.add_subcommand("optimize", "Optimize a model graph and write it as ONNX");
  cmd->add_option("model", args->model, "ONNX model to optimize")->required();
  cmd->add_option("-o,--output", args->output, "Where to write the optimized ONNX model")->required();
  cmd->add_option("--level", args->level, "Optimization level: none, basic or all (default all)");
  cmd->callback([args, exit_code] { *exit_code = OptimizeMain(*args); });
}

}  // namespace edgerun::cli
