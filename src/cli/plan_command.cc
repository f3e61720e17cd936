// `edgerun plan MODEL --target NAME`: will the model fit, how fast can it be at best, which
// dtype must it run in, and cloud or edge at a request rate. Estimates from the catalog in
// data/targets.json; `--target host` measures this machine instead.
// Exit status: 0 success, 1 failure (model, catalog, unknown target), 2 usage.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "bench/plan.h"
#include "bench/runner.h"
#include "bench/system_info.h"
#include "cli/commands.h"
#include "core/file.h"
#include "onnx/model_loader.h"
#include "onnx/shape_inference.h"
#include "runtime/model_stats.h"

namespace edgerun::cli {

namespace {

namespace fs = std::filesystem;

struct PlanArgs {
  std::string model, target, catalog;
  bool list = false;
  bench::CostAssumptions cost;
  double host_price_usd = 0;
  double host_power_w = 0;
};

// --catalog, $EDGERUN_TARGETS, ./data/targets.json, then data/ beside or above the binary.
std::string FindCatalog(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("EDGERUN_TARGETS")) return env;
  std::vector<fs::path> candidates = {"data/targets.json"};
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path d = exe.parent_path(); !d.empty() && d != d.root_path(); d = d.parent_path()) {
      candidates.push_back(d / "data/targets.json");
      candidates.push_back(d / "share/edgerun/targets.json");
    }
  }
  for (const auto& c : candidates) {
    if (fs::exists(c, ec)) return c.string();
  }
  return "data/targets.json";
}

std::string MiB(double b) {
  char buf[48];
  std::snprintf(buf, sizeof buf, b >= 1048576 ? "%.2f MiB" : "%.1f KiB", b >= 1048576 ? b / 1048576 : b / 1024);
  return buf;
}

std::string Ms(double ms) {
  char buf[48];
  std::snprintf(buf, sizeof buf, ms < 0.01 ? "%.2f us" : "%.3f ms", ms < 0.01 ? ms * 1e3 : ms);
  return buf;
}

void PrintCost(const bench::CostComparison& c, const bench::CostAssumptions& a) {
  std::printf("\ncloud or edge at %g requests/s (%.3g requests/month):\n", a.rate_hz, c.requests_per_month);
  std::printf("  %-8s latency %-12s cost $%.2f/month (%d device(s): hardware $%.2f over %.0f months, energy $%.2f)\n", "edge",
              Ms(c.edge_latency_ms).c_str(), c.edge_usd_per_month, c.devices, c.edge_hardware_usd_per_month, a.amortize_months,
              c.edge_energy_usd_per_month);
  std::printf("  %-8s latency %-12s cost $%.2f/month (requests $%.2f, uplink $%.2f)\n", "cloud", Ms(c.cloud_latency_ms).c_str(),
              c.cloud_usd_per_month, c.cloud_requests_usd_per_month, c.cloud_uplink_usd_per_month);
  std::printf("  %s\n", c.verdict.c_str());
  std::printf("  assumptions: cloud RTT %g ms + %g ms server time, $%g per million requests, uplink $%g/GB, electricity $%g/kWh,\n"
              "  hardware amortized over %g months, edge latency = the figure above (docs/bench.md; change with the --cloud-* options)\n",
              a.cloud_rtt_ms, a.cloud_server_ms, a.cloud_usd_per_million, a.uplink_usd_per_gb, a.usd_per_kwh, a.amortize_months);
}

int PlanHost(const PlanArgs& a, const bench::ModelFootprint& f) {
  bench::BenchConfig cfg;
  cfg.model_path = a.model;
  cfg.warmup = 5;
  cfg.iterations = 30;
  auto r = bench::RunBench(cfg);
  if (!r.ok()) {
    std::fprintf(stderr, "error: measuring on the host: %s\n", r.status().ToString().c_str());
    return 1;
  }
  auto avail = bench::AvailableMemoryBytes();
  std::printf("target:    host, measured: %s\n", bench::MachineDescription().c_str());
  std::printf("memory:    peak RSS %s; %s available\n", r->peak_rss_bytes ? MiB(static_cast<double>(*r->peak_rss_bytes)).c_str() : "?",
              avail.ok() ? MiB(static_cast<double>(*avail)).c_str() : "unknown");
  std::printf("latency:   p50 %s, p99 %s, max %s over %lld runs (1 thread, reference provider)\n", Ms(r->latency.p50 / 1e3).c_str(),
              Ms(r->latency.p99 / 1e3).c_str(), Ms(r->latency.max / 1e3).c_str(), static_cast<long long>(r->latency.count));
  std::printf("throughput: %.1f inferences/s on one stream\n", r->throughput_per_s);
  double power = a.host_power_w;
  if (power <= 0 && r->energy) power = r->energy->average_power_w;
  std::printf("power:     %s\n", r->energy ? (std::to_string(r->energy->average_power_w) + " W average (" + r->energy->source + ")").c_str()
                                           : r->energy_reason.c_str());
  PrintCost(bench::CompareCloudEdge(f, r->latency.p50 / 1e3, a.host_price_usd, power, a.cost), a.cost);
  return 0;
}

int PlanMain(const PlanArgs& a) {
  const std::string catalog_path = FindCatalog(a.catalog);
  auto catalog = bench::LoadTargetCatalog(catalog_path);
  if (!catalog.ok()) {
    std::fprintf(stderr, "error: target catalog: %s\n", catalog.status().ToString().c_str());
    return 1;
  }
  if (a.list) {
    for (const auto& t : catalog->targets) std::printf("%-28s %s\n", t.name.c_str(), t.title.c_str());
    std::printf("%-28s %s\n", "host", "this machine, measured");
    return 0;
  }
  if (a.model.empty() || a.target.empty()) {
    std::fprintf(stderr, "error: plan needs MODEL and --target NAME (or --list)\n");
    return 2;
  }
  const bench::Target* target = a.target == "host" ? nullptr : catalog->Find(a.target);
  if (a.target != "host" && !target) {
    std::fprintf(stderr, "error: unknown target '%s'; known: host, %s\n", a.target.c_str(), catalog->Names().c_str());
    return 1;
  }
  auto bytes = ReadFileToString(a.model);
  if (!bytes.ok()) {
    std::fprintf(stderr, "error: %s\n", bytes.status().ToString().c_str());
    return 1;
  }
  auto model = onnxio::LoadModelFromBytes(*bytes, fs::path(a.model).parent_path().string());
  if (!model.ok()) {
    std::fprintf(stderr, "error: '%s': %s\n", a.model.c_str(), model.status().ToString().c_str());
    return 1;
  }
  auto shapes = onnxio::InferShapes(*bytes, *model->graph);
  KernelRegistry registry;
  RegisterReferenceKernels(registry);
  ModelStats stats = ComputeModelStats(*model->graph, shapes, registry);
  bench::ModelFootprint f = bench::ComputeFootprint(*model->graph, shapes, stats.flops);
  std::printf("model:     %s: %lld parameters (%s as %s), peak activations %s, %.3g FLOP per inference%s\n", a.model.c_str(),
              static_cast<long long>(f.parameter_count), MiB(static_cast<double>(f.parameter_bytes)).c_str(), f.stored_dtype.c_str(),
              MiB(static_cast<double>(f.peak_activation_bytes)).c_str(), static_cast<double>(f.flops),
              stats.flops_known ? "" : " (lower bound)");
  if (!target) return PlanHost(a, f);

  bench::PlanEstimate e = bench::EstimateOnTarget(f, *target);
  std::printf("target:    %s (%s)\n", target->title.c_str(), target->name.c_str());
  std::printf("\nESTIMATES from vendor peak figures, not measurements: real latency is higher (often several times).\n");
  std::printf("  dtype:          %s - %s\n", e.dtype.c_str(), e.dtype_action.c_str());
  std::printf("  fits:           %s: %s\n", e.fits ? "yes" : "NO", e.fit_note.c_str());
  std::printf("  latency floor:  %s (compute %s at %g %s TOPS, memory traffic %s at %g GB/s) -> at most %.0f inferences/s\n",
              Ms(e.latency_floor_ms).c_str(), Ms(e.compute_floor_ms).c_str(),
              target->peak_tops.count(e.dtype) ? target->peak_tops.at(e.dtype) : 0.0, e.dtype.c_str(), Ms(e.bandwidth_floor_ms).c_str(),
              target->memory_bandwidth_gbps, e.max_rate_hz);
  std::printf("  power:          %g W typical (%g-%g W); toolchain: %s\n", target->power_typical_w, target->power_idle_w, target->power_max_w,
              target->toolchain.c_str());
  for (const auto& c : target->constraints) std::printf("  constraint:     %s\n", c.c_str());
  PrintCost(bench::CompareCloudEdge(f, e.latency_floor_ms, target->price_usd, target->power_typical_w, a.cost), a.cost);
  std::printf("\nsources: %s; catalog %s\n", target->source.c_str(), catalog_path.c_str());
  return e.fits ? 0 : 1;
}

}  // namespace

void AddPlanCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<PlanArgs>();
  CLI::App* cmd = app.add_subcommand("plan", "Estimate fit, latency floor, dtype and cloud-vs-edge cost on an edge target");
  cmd->add_option("model", a->model, "ONNX model file");
  cmd->add_option("--target", a->target, "Target name from the catalog, or 'host' to measure this machine");
  cmd->add_option("--catalog", a->catalog, "Target catalog (default data/targets.json)");
  cmd->add_flag("--list", a->list, "List the catalog's targets");
  cmd->add_option("--rate", a->cost.rate_hz, "Requests per second for the cloud-or-edge comparison")->check(CLI::PositiveNumber);
  cmd->add_option("--cloud-rtt-ms", a->cost.cloud_rtt_ms, "Network round trip to the cloud")->check(CLI::NonNegativeNumber);
  cmd->add_option("--cloud-server-ms", a->cost.cloud_server_ms, "Server-side inference time")->check(CLI::NonNegativeNumber);
  cmd->add_option("--cloud-usd-per-million", a->cost.cloud_usd_per_million, "Cloud price per million requests")->check(CLI::NonNegativeNumber);
  cmd->add_option("--uplink-usd-per-gb", a->cost.uplink_usd_per_gb, "Uplink data price")->check(CLI::NonNegativeNumber);
  cmd->add_option("--usd-per-kwh", a->cost.usd_per_kwh, "Electricity price")->check(CLI::NonNegativeNumber);
  cmd->add_option("--months", a->cost.amortize_months, "Hardware lifetime for amortization")->check(CLI::PositiveNumber);
  cmd->add_option("--host-price-usd", a->host_price_usd, "Price of this machine (--target host)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--host-power-w", a->host_power_w, "Power of this machine when not measurable (--target host)")->check(CLI::NonNegativeNumber);
  cmd->callback([a, exit_code]() { *exit_code = PlanMain(*a); });
}

}  // namespace edgerun::cli
