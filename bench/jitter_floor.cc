// edgerun_jitter_floor: the machine's own latency jitter, for judging a runtime's tail.
//
// Runs a fixed amount of work (multiply-adds, as many independent ones as the core can issue,
// over a 256 KiB buffer that stays in the core's L2 cache; no allocation, no system calls),
// calibrated to take about --us microseconds,
// --runs times, and reports the latency statistics of those runs exactly as `edgerun bench`
// reports a model's (nearest-rank percentiles). Every run does the same work, so any spread
// (p99 / p50 above 1) is the machine's: interrupts, other tenants of a virtual machine's host,
// frequency changes. `make bench` runs it beside each model with the model's p50 as --us.
//
//   edgerun_jitter_floor --us T [--runs N] [--warmup W] [--json PATH]
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/statistics.h"

namespace {

using Clock = std::chrono::steady_clock;


// A buffer the size of a small model's weights: resident in a core's L2 cache when nothing else
// disturbs it, so the work below is slowed by what slows an inference (a neighbour's use of the
// shared caches, interrupts), not only by lost cycles.
constexpr size_t kBufferFloats = 64 * 1024;  // 256 KiB

// `steps` passes of 8-wide multiply-adds over 64 floats of the buffer (12 independent
// accumulators: both FMA pipes busy, like an inference kernel's inner loop), walking the buffer
// cyclically; the result depends on every step.
__attribute__((noinline, target("avx2,fma"))) double WorkAvx2(int64_t steps, double seed, const float* buf) {
  __m256 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(seed) + static_cast<float>(i));
  const __m256 m = _mm256_set1_ps(0.999999f);
  size_t at = 0;
  for (int64_t k = 0; k < steps; ++k) {
    const float* p = buf + at;
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], m, _mm256_load_ps(p + 8 * (i % 8)));
    at = (at + 64) % kBufferFloats;
  }
  __m256 sum = acc[0];
  for (int i = 1; i < 12; ++i) sum = _mm256_add_ps(sum, acc[i]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  double total = 0;
  for (float v : lanes) total += v;
  return total;
}

// Without AVX2+FMA: four scalar chains over the same buffer.
__attribute__((noinline)) double WorkScalar(int64_t steps, double seed, const float* buf) {
  double a = seed, b = seed * 0.5, c = seed * 0.25, d = seed * 0.125;
  size_t at = 0;
  for (int64_t i = 0; i < steps; ++i) {
    a = a * 0.999999 + buf[at];
    b = b * 0.999999 + buf[at + 1];
    c = c * 0.999999 + buf[at + 2];
    d = d * 0.999999 + buf[at + 3];
    at = (at + 16) % kBufferFloats;
  }
  return a + b + c + d;
}

double Work(int64_t steps, double seed) {
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  alignas(64) static float buf[kBufferFloats];
  static const bool filled = [] {
    std::fill(buf, buf + kBufferFloats, 1e-7f);
    return true;
  }();
  (void)filled;
  return avx2 ? WorkAvx2(steps, seed, buf) : WorkScalar(steps, seed, buf);
}

double TimeUs(int64_t steps, double* sink) {
  const auto t0 = Clock::now();
  *sink += Work(steps, 1.0 + *sink * 1e-30);
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

int Usage(const char* msg) {
  std::fprintf(stderr, "edgerun_jitter_floor: %s\nusage: edgerun_jitter_floor --us T [--runs N] [--warmup W] [--json PATH]\n",
               msg);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  double target_us = 0;
  int64_t runs = 2000, warmup = 20;
  std::string json_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return Usage(("missing value after " + a).c_str());
    const char* v = argv[++i];
    char* end = nullptr;
    if (a == "--us") {
      target_us = std::strtod(v, &end);
    } else if (a == "--runs") {
      runs = std::strtoll(v, &end, 10);
    } else if (a == "--warmup") {
      warmup = std::strtoll(v, &end, 10);
    } else if (a == "--json") {
      json_path = v;
      continue;
    } else {
      return Usage(("unknown option " + a).c_str());
    }
    if (end == v || *end != '\0') return Usage(("not a number: " + a + " " + v).c_str());
  }
  if (!(target_us >= 0.1 && target_us <= 1e7)) return Usage("--us must be in [0.1, 1e7]");
  if (runs < 1 || runs > 10'000'000 || warmup < 0 || warmup > 1'000'000) return Usage("--runs in [1, 1e7], --warmup in [0, 1e6]");

  // Calibrate: the fastest of 31 timings of a probe sets the steps per microsecond (the machine
  // is not equally fast all the time; the work is sized for its fast state).
  double sink = 0;
  int64_t probe = 1000;
  double best = 0;
  while (true) {
    best = 1e30;
    for (int k = 0; k < 31; ++k) best = std::min(best, TimeUs(probe, &sink));
    if (best >= std::min(target_us, 200.0) || probe > (int64_t{1} << 40)) break;
    probe *= 4;
  }
  const auto steps = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(probe) * target_us / best));
  for (int64_t k = 0; k < warmup; ++k) TimeUs(steps, &sink);
  std::vector<double> samples;
  samples.reserve(static_cast<size_t>(runs));
  for (int64_t k = 0; k < runs; ++k) samples.push_back(TimeUs(steps, &sink));
  const edgerun::bench::LatencySummary s = edgerun::bench::Summarize(samples);
  std::printf("fixed work of %.1f us (%lld steps), %lld runs: min %.1f p50 %.1f p99 %.1f max %.1f us, p99/p50 %.3f\n",
              target_us, static_cast<long long>(steps), static_cast<long long>(runs), s.min, s.p50, s.p99, s.max,
              s.tail_ratio);
  if (!json_path.empty()) {
    nlohmann::json j;
    j["schema"] = "edgerun-jitter-floor/1";
    j["target_us"] = target_us;
    j["steps"] = steps;
    j["latency_us"] = {{"count", s.count}, {"min", s.min}, {"p50", s.p50}, {"p99", s.p99},
                       {"max", s.max}, {"tail_ratio_p99_p50", s.tail_ratio}};
    j["checksum"] = sink;  // keeps the work observable
    std::ofstream f(json_path);
    f << j.dump(2) << "\n";
    if (!f) {
      std::fprintf(stderr, "edgerun_jitter_floor: cannot write %s\n", json_path.c_str());
      return 1;
    }
  }
  return 0;
}
