// `edgerun run MODEL -i FILE... -o DIR [--npy]`: runs a model once on files and writes outputs.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <map>

#include "cli/commands.h"
#include "core/npy.h"
#include "onnx/tensor_proto.h"

namespace edgerun::cli {

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct RunArgs {
  std::string model;
  std::vector<std::string> inputs;
  std::string out_dir;
  bool npy = false;
  int threads = 1;
  std::string providers = "xnnpack,cpu";
  bool no_onednn = false;
};

std::vector<std::string> ProviderList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

int RunMain(const RunArgs& a) {
  SessionOptions opts;
  opts.threads = a.threads;
  opts.providers = ProviderList(a.providers);
  opts.onednn = !a.no_onednn;
  if (opts.providers.empty()) {
    std::fprintf(stderr, "error: --providers needs at least one provider\n");
    return 2;
  }
  auto session = Session::CreateFromFile(a.model, opts);
  if (!session.ok()) {
    std::fprintf(stderr, "error: %s\n", session.status().ToString().c_str());
    return 1;
  }
  const auto& declared = (*session)->inputs();
  std::vector<NamedTensor> feeds;
  size_t positional = 0;
  for (const std::string& spec : a.inputs) {
    std::string name, path = spec;
    auto eq = spec.find('=');
    if (eq != std::string::npos && !std::filesystem::exists(spec)) {
      name = spec.substr(0, eq);
      path = spec.substr(eq + 1);
    } else {
      if (positional >= declared.size()) {
        std::fprintf(stderr, "error: input file '%s' is input #%zu, but the model takes only %zu input(s)\n",
                     spec.c_str(), positional + 1, declared.size());
        return 1;
      }
      name = declared[positional++].name;
    }
    auto t = ReadTensorFile(path);
    if (!t.ok()) {
      std::fprintf(stderr, "error: input '%s': %s\n", name.c_str(), t.status().ToString().c_str());
      return 1;
    }
    feeds.push_back({name, std::move(t).value()});
  }
  auto outs = (*session)->Run(feeds);
  if (!outs.ok()) {
    std::fprintf(stderr, "error: %s\n", outs.status().ToString().c_str());
    return 1;
  }
  std::error_code ec;
  std::filesystem::create_directories(a.out_dir, ec);
  if (ec) {
    std::fprintf(stderr, "error: cannot create output directory '%s': %s\n", a.out_dir.c_str(), ec.message().c_str());
    return 1;
  }
  for (size_t k = 0; k < outs->size(); ++k) {
    const auto& nt = (*outs)[k];
    std::string base = (std::filesystem::path(a.out_dir) / ("output_" + std::to_string(k))).string();
    Status st = onnxio::WriteTensorProtoFile(nt.tensor, nt.name, base + ".pb");
    if (st.ok() && a.npy) st = WriteNpyFile(nt.tensor, base + ".npy");
    if (!st.ok()) {
      std::fprintf(stderr, "error: writing output '%s': %s\n", nt.name.c_str(), st.ToString().c_str());
      return 1;
    }
    std::printf("output %zu '%s': %s%s -> %s.pb\n", k, nt.name.c_str(), DataTypeName(nt.tensor.dtype()),
                ShapeToString(nt.tensor.shape()).c_str(), base.c_str());
  }
  return 0;
}

}  // namespace

Result<Tensor> ReadTensorFile(const std::string& path) {
  if (EndsWith(path, ".npy")) return ReadNpyFile(path);
  return onnxio::ReadTensorProtoFile(path);
}

void AddRunCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Run a model once on input files and write its outputs");
  cmd->add_option("model", args->model, "ONNX model file")->required();
  cmd->add_option("-i,--input", args->inputs,
                  "Input file (.pb TensorProto or .npy), in graph input order, or NAME=FILE")->take_all();
  cmd->add_option("-o,--output-dir", args->out_dir, "Directory for output_<k>.pb")->required();
  cmd->add_flag("--npy", args->npy, "Also write each output as output_<k>.npy");
  cmd->add_option("--threads", args->threads, "Intra-op threads")->check(CLI::PositiveNumber);
  cmd->add_option("--providers", args->providers, "Comma-separated execution providers, in priority order (default xnnpack,cpu)");
  cmd->add_flag("--no-onednn", args->no_onednn, "Keep convolutions off oneDNN (see SessionOptions::onednn)");
  cmd->callback([args, exit_code]() { *exit_code = RunMain(*args); });
}

}  // namespace edgerun::cli
