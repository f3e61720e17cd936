// `edgerun info MODEL`: inputs, outputs, operators, parameters, FLOPs and every unsupported
// node at once. Exit status 1 when the model cannot be loaded or has unsupported nodes.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "core/file.h"
#include "onnx/model_loader.h"
#include "onnx/shape_inference.h"
#include "runtime/model_stats.h"
#include "runtime/session_impl.h"

namespace edgerun::cli {

namespace {

std::string HumanCount(double v, const char* unit) {
  const char* prefixes[] = {"", "K", "M", "G", "T"};
  int p = 0;
  while (v >= 1000.0 && p < 4) {
    v /= 1000.0;
    ++p;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, p ? "%.2f %s%s" : "%.0f %s%s", v, prefixes[p], unit);
  return buf;
}

int InfoMain(const std::string& path) {
  auto bytes = ReadFileToString(path);
  if (!bytes.ok()) {
    std::fprintf(stderr, "error: %s\n", bytes.status().ToString().c_str());
    return 1;
  }
  auto model = onnxio::LoadModelFromBytes(*bytes, std::filesystem::path(path).parent_path().string());
  if (!model.ok()) {
    std::fprintf(stderr, "error: '%s': %s\n", path.c_str(), model.status().ToString().c_str());
    return 1;
  }
  const ir::Graph& g = *model->graph;
  auto shapes = onnxio::InferShapes(*bytes, g);
  KernelRegistry registry;
  RegisterReferenceKernels(registry);
  ModelStats st = ComputeModelStats(g, shapes, registry);

  std::printf("model:     %s\n", path.c_str());
  std::printf("producer:  %s %s, IR version %lld\n", model->producer_name.empty() ? "(unknown)" : model->producer_name.c_str(),
              model->producer_version.c_str(), static_cast<long long>(model->ir_version));
  std::printf("opsets:   ");
  for (const auto& [d, v] : model->opsets) std::printf(" %s:%lld", d.empty() ? "ai.onnx" : d.c_str(), static_cast<long long>(v));
  std::printf("\n\ninputs:\n");
  for (const auto* vi : g.RealInputs()) std::printf("  %-32s %s\n", vi->name.c_str(), vi->type.ToString().c_str());
  std::printf("outputs:\n");
  for (const auto& vi : g.outputs) {
    auto it = shapes.types.find(vi.name);
    std::printf("  %-32s %s\n", vi.name.c_str(), (it != shapes.types.end() ? it->second : vi.type).ToString().c_str());
  }
  std::printf("\nnodes: %lld\noperators:\n", static_cast<long long>(st.node_count));
  std::vector<std::pair<std::string, int>> ops(st.op_histogram.begin(), st.op_histogram.end());
  std::sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  for (const auto& [op, n] : ops) std::printf("  %-28s %6d\n", op.c_str(), n);
  std::printf("\nparameters: %s (%lld), %s\n", HumanCount(static_cast<double>(st.parameter_count), "").c_str(),
              static_cast<long long>(st.parameter_count), HumanCount(static_cast<double>(st.parameter_bytes), "B").c_str());
  std::printf("FLOPs per inference: %s%s (dynamic dims taken as 1)\n", HumanCount(static_cast<double>(st.flops), "FLOP").c_str(),
              st.flops_known ? "" : " (lower bound)");
  if (!st.flops_known) {
    std::printf("  shapes unknown for %zu node(s), e.g. '%s'%s%s\n", st.flops_unknown_nodes.size(), st.flops_unknown_nodes[0].c_str(),
                shapes.note.empty() ? "" : "; ", shapes.note.c_str());
  }
  for (const auto& [op, f] : st.flops_by_op) {
    std::printf("  %-28s %s (%.1f%%)\n", op.c_str(), HumanCount(static_cast<double>(f), "FLOP").c_str(),
                st.flops ? 100.0 * static_cast<double>(f) / static_cast<double>(st.flops) : 0.0);
  }
  if (st.unsupported.empty()) {
    // Structural checks (undefined values, cycles, attribute validation) happen when compiling.
    auto compiled = GraphExecutor::Create(model->graph, registry, {});
    if (!compiled.ok()) {
      std::printf("\n");
      std::fprintf(stderr, "error: '%s': %s\n", path.c_str(), compiled.status().ToString().c_str());
      return 1;
    }
    std::printf("\nsupport: every node has a kernel (providers: cpu)\n");
    return 0;
  }
  std::printf("\nunsupported nodes: %zu\n", st.unsupported.size());
  for (const auto& u : st.unsupported) std::printf("  %s: %s\n", u.node.c_str(), u.reason.c_str());
  return 1;
}

}  // namespace

void AddInfoCommand(CLI::App& app, int* exit_code) {
  auto model = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("info", "Describe a model: I/O, operators, parameters, FLOPs, support");
  cmd->add_option("model", *model, "ONNX model file")->required();
  cmd->callback([model, exit_code]() { *exit_code = InfoMain(*model); });
}

}  // namespace edgerun::cli
