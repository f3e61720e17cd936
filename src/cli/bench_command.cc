// `edgerun bench MODEL`: latency, throughput, memory, allocations, energy and real-time
// behaviour of a model on this machine; terminal table, --json, --html, --profile trace.
// Exit status: 0 success, 1 failure (model, inputs, cannot keep up with --rate), 2 usage.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <sstream>

#include "bench/html_report.h"
#include "bench/json_report.h"
#include "bench/runner.h"
#include "bench/system_info.h"
#include "bench/text_report.h"
#include "cli/alloc_counter.h"
#include "cli/commands.h"

namespace edgerun::cli {

namespace {

struct BenchArgs {
  std::string model;
  int threads = 1;
  std::string providers;  // empty: the session default
  std::string optimization = "all";
  bool spin = false;
  bool no_onednn = false;
  int warmup = 10;
  int64_t iterations = 0;
  double duration_s = 0;
  int batch = 1;
  std::string input_mode = "random";
  std::vector<std::string> files;
  uint64_t seed = 1;
  std::string pin;
  int streams = 1;
  double rate_hz = 0;
  double deadline_ms = 0;
  double idle_gap_ms = 0;
  int64_t idle_every = 50;
  std::string json_path, html_path, profile_path;
  int profile_runs = 20;
  bool quiet = false;
};

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// Draws the progress bar on stderr once the measured run has lasted a second (terminals only).
class ProgressPrinter {
 public:
  void operator()(double fraction) {
    using Clock = std::chrono::steady_clock;
    if (!enabled_) return;
    if (!started_) {
      start_ = Clock::now();
      started_ = true;
    }
    if (!shown_ && Clock::now() - start_ < std::chrono::seconds(1)) return;
    shown_ = true;
    std::fprintf(stderr, "\r  measuring %s", bench::ProgressBar(fraction).c_str());
    if (fraction >= 1.0) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }
  bool enabled_ = isatty(STDERR_FILENO) != 0;
  bool started_ = false;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
};

int Usage(const std::string& msg) {
  std::fprintf(stderr, "error: %s\n", msg.c_str());
  return 2;
}

int BenchMain(const BenchArgs& a) {
  bench::BenchConfig cfg;
  cfg.model_path = a.model;
  cfg.session_options.threads = a.threads;
  if (!a.providers.empty()) cfg.session_options.providers = SplitList(a.providers);
  if (cfg.session_options.providers.empty()) return Usage("--providers needs at least one provider");
  cfg.session_options.graph_optimization = a.optimization;
  cfg.session_options.spin = a.spin;
  cfg.session_options.onednn = !a.no_onednn;
  cfg.warmup = a.warmup;
  cfg.iterations = a.iterations;
  cfg.duration_s = a.duration_s;
  cfg.streams = a.streams;
  cfg.inputs.batch = a.batch;
  cfg.inputs.seed = a.seed;
  if (!a.files.empty()) {
    cfg.inputs.mode = bench::InputSpec::Mode::kFiles;
    cfg.inputs.files = a.files;
  } else {
    cfg.inputs.mode = a.input_mode == "zeros" ? bench::InputSpec::Mode::kZeros : bench::InputSpec::Mode::kRandom;
  }
  if (!a.pin.empty()) {
    auto cpus = bench::ParseCpuList(a.pin);
    if (!cpus.ok()) return Usage("--pin: " + cpus.status().message());
    cfg.pin_cpus = *cpus;
  }
  if (a.rate_hz == 0 && (a.deadline_ms > 0 || a.idle_gap_ms > 0)) return Usage("--deadline and --idle-gap need --rate HZ");
  if (a.rate_hz > 0 && a.streams > 1) return Usage("--rate runs one stream; drop --streams");
  cfg.rate_hz = a.rate_hz;
  cfg.deadline_ms = a.deadline_ms;
  cfg.idle_gap_ms = a.idle_gap_ms;
  cfg.idle_every = a.idle_every;
  cfg.trace_path = a.profile_path;
  cfg.profile_runs = a.profile_runs;
  cfg.allocations.count_on_this_thread = CountAllocationsOnThisThread;
  cfg.allocations.read = CountedAllocations;
  ProgressPrinter printer;
  if (!a.quiet) cfg.progress = [&printer](double f) { printer(f); };

  auto report = bench::RunBench(cfg);
  if (!report.ok()) {
    std::fprintf(stderr, "error: %s\n", report.status().ToString().c_str());
    return 1;
  }
  if (!a.quiet) std::printf("%s", bench::BenchReportToText(*report).c_str());
  if (!a.json_path.empty()) {
    Status st = bench::WriteBenchJson(*report, a.json_path);
    if (!st.ok()) {
      std::fprintf(stderr, "error: --json: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  if (!a.html_path.empty()) {
    Status st = bench::WriteBenchHtml(*report, a.html_path);
    if (!st.ok()) {
      std::fprintf(stderr, "error: --html: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  if (report->realtime && !report->realtime->kept_up) {
    std::fprintf(stderr, "error: the model cannot keep up with --rate %g Hz: %s\n", a.rate_hz, report->realtime->keep_up_note.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

void AddBenchCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand("bench", "Measure latency, throughput, memory, allocations and energy of a model");
  cmd->add_option("model", a->model, "ONNX model file")->required();
  cmd->add_option("--threads", a->threads, "Intra-op threads per session")->check(CLI::PositiveNumber);
  cmd->add_option("--providers", a->providers,
                  "Comma-separated execution providers, in priority order (default: xnnpack,cpu)");
  cmd->add_option("--optimization", a->optimization, "Graph optimization level")
      ->check(CLI::IsMember({"none", "basic", "all"}));
  cmd->add_flag("--spin", a->spin, "Intra-op workers spin while waiting instead of yielding (lower latency, burns CPU)");
  cmd->add_flag("--no-onednn", a->no_onednn,
                "Keep convolutions off oneDNN, which allocates on every call (allocation-free runs, slower CNNs)");
  cmd->add_option("--warmup", a->warmup, "Warm-up runs per session before measuring")->check(CLI::NonNegativeNumber);
  auto* it = cmd->add_option("--iterations", a->iterations, "Measured runs per stream (default 100)")->check(CLI::PositiveNumber);
  cmd->add_option("--duration", a->duration_s, "Measure for this many seconds instead")->check(CLI::PositiveNumber)->excludes(it);
  cmd->add_option("--batch", a->batch, "Batch size for the dynamic first dim of generated inputs")->check(CLI::PositiveNumber);
  cmd->add_option("--inputs", a->input_mode, "Generated inputs: random (seeded) or zeros")->check(CLI::IsMember({"random", "zeros"}));
  cmd->add_option("--seed", a->seed, "Seed for random inputs");
  cmd->add_option("-i,--input", a->files, "Input file (.pb or .npy) in graph input order, or NAME=FILE")->take_all();
  cmd->add_option("--pin", a->pin, "Pin to CPUs, e.g. 0-3,6");
  cmd->add_option("--streams", a->streams, "Concurrent sessions, each on its own thread (throughput)")->check(CLI::PositiveNumber);
  cmd->add_option("--rate", a->rate_hz, "Real-time mode: invoke on a fixed period of 1/HZ")->check(CLI::PositiveNumber);
  cmd->add_option("--deadline", a->deadline_ms, "Deadline per invocation in ms, from its release (default: the period)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--idle-gap", a->idle_gap_ms, "Pause this many ms every --idle-every invocations (latency after idle)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--idle-every", a->idle_every, "Invocations between idle gaps")->check(CLI::PositiveNumber);
  cmd->add_option("--json", a->json_path, "Write the results as JSON (docs/bench.md)");
  cmd->add_option("--html", a->html_path, "Write a self-contained HTML report");
  cmd->add_option("--profile", a->profile_path, "Write a Chrome trace (chrome://tracing, Perfetto)");
  cmd->add_option("--profile-runs", a->profile_runs,
                  "Runs of a separate per-node-timed session for the operator profile (0: none)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("-q,--quiet", a->quiet, "No table and no progress bar");
  cmd->callback([a, exit_code]() { *exit_code = BenchMain(*a); });
}

}  // namespace edgerun::cli
