#include "bench/runner.h"

#include "runtime/session_impl.h"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/op_profile.h"
#include "bench/power_meter.h"
#include "bench/system_info.h"
#include "core/file.h"

namespace edgerun::bench {

namespace {

using Clock = std::chrono::steady_clock;

double Us(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::micro>(b - a).count(); }

// One inference with allocation counting enabled on this thread for exactly its duration. Each
// thread reuses its output tensors across runs (Session::Run's in-place form), as a real-time
// caller would.
Status CountedRun(const Session& s, const std::vector<NamedTensor>& feeds, const AllocationHooks& hooks) {
  thread_local std::vector<NamedTensor> outputs;
  thread_local const Session* last_session = nullptr;
  if (last_session != &s) {
    outputs.clear();
    last_session = &s;
  }
  if (hooks.count_on_this_thread) hooks.count_on_this_thread(true);
  Status st = s.Run(feeds, &outputs);
  if (hooks.count_on_this_thread) hooks.count_on_this_thread(false);
  return st;
}

struct StreamSamples {
  std::vector<double> latency_us;
  std::vector<double> start_s;
  Status status;
};

void SleepUntil(Clock::time_point t) {
  // steady_clock is CLOCK_MONOTONIC on Linux; an absolute sleep does not drift.
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  timespec ts{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

class Progress {
 public:
  explicit Progress(std::function<void(double)> fn) : fn_(std::move(fn)), last_(Clock::now()) {}
  void Update(double fraction) {
    if (!fn_) return;
    auto now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    fn_(std::min(1.0, fraction));
  }
  void Done() {
    if (fn_) fn_(1.0);
  }

 private:
  std::function<void(double)> fn_;  // a copy: callers may pass a temporary
  Clock::time_point last_;
};

// Fixed count (iterations > 0) or fixed duration, on one stream.
void RunStream(int index, const Session& s, const std::vector<NamedTensor>& feeds, const BenchConfig& cfg,
               int64_t iterations, Clock::time_point t0, std::atomic<bool>* abort, StreamSamples* out) {
  Progress progress(index == 0 ? cfg.progress : std::function<void(double)>());
  const double duration_us = cfg.duration_s * 1e6;
  for (int64_t i = 0; iterations == 0 || i < iterations; ++i) {
    if (abort->load(std::memory_order_relaxed)) break;
    const auto a = Clock::now();
    if (iterations == 0 && Us(t0, a) >= duration_us) break;
    Status st = CountedRun(s, feeds, cfg.allocations);
    const auto b = Clock::now();
    if (!st.ok()) {
      out->status = st;
      abort->store(true);
      break;
    }
    out->latency_us.push_back(Us(a, b));
    out->start_s.push_back(Us(t0, a) * 1e-6);
    progress.Update(iterations ? static_cast<double>(i + 1) / static_cast<double>(iterations) : Us(t0, b) / duration_us);
  }
  if (index == 0) progress.Done();
}

// The periodic loop: release k at t0 + k * period (re-based after each idle gap).
Status RunRealtime(const Session& s, const std::vector<NamedTensor>& feeds, const BenchConfig& cfg, int64_t n,
                   StreamSamples* out, RealtimeResult* rt) {
  Progress progress(cfg.progress);
  const auto period = std::chrono::nanoseconds(static_cast<int64_t>(1e9 / cfg.rate_hz));
  const double deadline_us = rt->deadline_ms * 1000.0;
  std::vector<double> release_us, finish_us, idle_latency;
  release_us.reserve(static_cast<size_t>(n));
  finish_us.reserve(static_cast<size_t>(n));
  const auto t0 = Clock::now() + period;
  auto release = t0;
  for (int64_t k = 0; k < n; ++k) {
    bool after_idle = false;
    if (cfg.idle_gap_ms > 0 && k > 0 && k % cfg.idle_every == 0) {
      std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(cfg.idle_gap_ms));
      release = Clock::now();
      after_idle = true;
      ++rt->idle_gaps;
    }
    const auto now = Clock::now();
    if (now >= release + period) {  // the previous run overran: drop the releases it covered
      const int64_t missed = (now - release) / period;
      release += missed * period;
      rt->skipped_periods += missed;
    }
    SleepUntil(release);
    const auto a = Clock::now();
    EDGERUN_RETURN_IF_ERROR(CountedRun(s, feeds, cfg.allocations));
    const auto b = Clock::now();
    out->latency_us.push_back(Us(a, b));
    out->start_s.push_back(Us(t0, a) * 1e-6);
    release_us.push_back(Us(t0, release));
    finish_us.push_back(Us(t0, b));
    if (after_idle) {
      idle_latency.push_back(Us(release, b));
      if (Us(release, b) > deadline_us) ++rt->after_idle_misses;
    }
    release += period;
    progress.Update(static_cast<double>(k + 1) / static_cast<double>(n));
    if (k >= 20 && rt->skipped_periods * 10 > k) {
      rt->kept_up = false;
      char buf[200];
      std::snprintf(buf, sizeof buf, "stopped after %lld invocations: %lld periods skipped because runs overran the %.3f ms period",
                    static_cast<long long>(k + 1), static_cast<long long>(rt->skipped_periods), 1e3 / cfg.rate_hz);
      rt->keep_up_note = buf;
      break;
    }
  }
  progress.Done();
  rt->deadline = CountDeadlineMisses(release_us, finish_us, deadline_us);
  rt->after_idle = Summarize(idle_latency);
  return Status::Ok();
}

Status WriteTrace(const std::string& path, const std::vector<StreamSamples>& streams, const ProfileResult* prof) {
  nlohmann::json events = nlohmann::json::array();
  for (size_t s = 0; s < streams.size(); ++s) {
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", s},
                      {"args", {{"name", "stream " + std::to_string(s)}}}});
    for (size_t i = 0; i < streams[s].latency_us.size(); ++i) {
      events.push_back({{"name", "Run"}, {"cat", "inference"}, {"ph", "X"}, {"pid", 1}, {"tid", s},
                        {"ts", streams[s].start_s[i] * 1e6}, {"dur", streams[s].latency_us[i]}});
    }
  }
  if (prof && !prof->events.empty()) {
    // Profiling runs on their own track, time-shifted to start at 0.
    const int64_t base = prof->events.front().start_ns;
    const size_t tid = streams.size();
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", tid},
                      {"args", {{"name", "operator profile (separate runs)"}}}});
    for (const auto& e : prof->events) {
      events.push_back({{"name", e.name}, {"cat", e.op_type}, {"ph", "X"}, {"pid", 1}, {"tid", tid},
                        {"ts", static_cast<double>(e.start_ns - base) / 1e3},
                        {"dur", static_cast<double>(e.end_ns - e.start_ns) / 1e3},
                        {"args", {{"op_type", e.op_type}, {"run", e.run}}}});
    }
  }
  nlohmann::json trace = {{"traceEvents", events}, {"displayTimeUnit", "ms"}};
  return WriteFileAtomically(path, trace.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace

Result<BenchReport> RunBench(const BenchConfig& cfg) {
  if (cfg.streams < 1) return InvalidArgument("--streams must be at least 1");
  if (cfg.rate_hz > 0 && cfg.streams != 1) return InvalidArgument("--rate runs a single stream; drop --streams");
  if (cfg.rate_hz < 0 || cfg.deadline_ms < 0 || cfg.idle_gap_ms < 0) return InvalidArgument("--rate, --deadline and --idle-gap must not be negative");
  if (cfg.idle_every < 1) return InvalidArgument("--idle-every must be at least 1");
  if (!cfg.pin_cpus.empty()) EDGERUN_RETURN_IF_ERROR(PinCurrentThread(cfg.pin_cpus));

  BenchReport rep;
  rep.model = cfg.model_path;
  rep.date = NowIso8601();
  rep.machine = MachineDescription();
  rep.threads = cfg.session_options.threads;
  rep.providers = cfg.session_options.providers;
  rep.onednn = cfg.session_options.onednn;
  rep.warmup = cfg.warmup;
  rep.batch = cfg.inputs.batch;
  rep.streams = cfg.streams;
  rep.inputs = cfg.inputs.Describe();

  std::vector<std::unique_ptr<Session>> sessions;
  for (int i = 0; i < cfg.streams; ++i) {
    const auto a = Clock::now();
    auto s = Session::CreateFromFile(cfg.model_path, cfg.session_options);
    if (!s.ok()) return s.status().WithContext("loading '" + cfg.model_path + "'");
    if (i == 0) rep.session_create_ms = Us(a, Clock::now()) / 1e3;
    sessions.push_back(std::move(s).value());
  }
  EDGERUN_ASSIGN_OR_RETURN(std::vector<NamedTensor> feeds, MakeInputs(sessions[0]->inputs(), cfg.inputs));

  const auto f0 = Clock::now();
  EDGERUN_RETURN_IF_ERROR_CTX(CountedRun(*sessions[0], feeds, {}), "first inference");
  rep.first_inference_ms = Us(f0, Clock::now()) / 1e3;

  std::vector<double> warm;
  for (auto& s : sessions) {
    for (int i = 0; i < cfg.warmup; ++i) {
      const auto a = Clock::now();
      EDGERUN_RETURN_IF_ERROR_CTX(CountedRun(*s, feeds, {}), "warm-up");
      if (s == sessions[0]) warm.push_back(Us(a, Clock::now()));
    }
  }

  std::optional<RealtimeResult> rt;
  int64_t iterations = cfg.iterations;
  if (cfg.rate_hz > 0) {
    rt.emplace();
    rt->rate_hz = cfg.rate_hz;
    rt->deadline_ms = cfg.deadline_ms > 0 ? cfg.deadline_ms : 1e3 / cfg.rate_hz;
    rt->idle_gap_ms = cfg.idle_gap_ms;
    const double period_us = 1e6 / cfg.rate_hz;
    const double typical = warm.empty() ? rep.first_inference_ms * 1e3 : Summarize(warm).p50;
    if (typical > period_us) {
      char buf[256];
      std::snprintf(buf, sizeof buf, "the model cannot keep up with --rate %g Hz: a warm inference takes %.3f ms, the period is %.3f ms "
                    "(at most %.1f Hz)", cfg.rate_hz, typical / 1e3, period_us / 1e3, 1e6 / typical);
      return Unavailable(buf);
    }
    if (iterations == 0) iterations = cfg.duration_s > 0 ? static_cast<int64_t>(std::ceil(cfg.duration_s * cfg.rate_hz)) : 100;
  } else if (iterations == 0 && cfg.duration_s <= 0) {
    iterations = 100;
  }

  std::unique_ptr<EnergyMeter> meter;
  auto opened = OpenEnergyMeter(cfg.sysfs_root);
  if (opened.ok()) {
    meter = std::move(opened).value();
    Status st = meter->Start();
    if (!st.ok()) {
      rep.energy_reason = "not available: " + st.message();
      meter.reset();
    }
  } else {
    rep.energy_reason = opened.status().message();
  }

  std::vector<StreamSamples> samples(static_cast<size_t>(cfg.streams));
  size_t reserve = iterations > 0 ? static_cast<size_t>(iterations) : 1024;
  for (auto& s : samples) {
    s.latency_us.reserve(reserve);
    s.start_s.reserve(reserve);
  }
  const uint64_t allocs_before = cfg.allocations.read ? cfg.allocations.read() : 0;
  const auto t0 = Clock::now();
  if (rt) {
    EDGERUN_RETURN_IF_ERROR(RunRealtime(*sessions[0], feeds, cfg, iterations, &samples[0], &*rt));
  } else {
    std::atomic<bool> abort{false};
    std::vector<std::thread> workers;
    for (int i = 1; i < cfg.streams; ++i) {
      workers.emplace_back(RunStream, i, std::cref(*sessions[static_cast<size_t>(i)]), std::cref(feeds), std::cref(cfg),
                           iterations, t0, &abort, &samples[static_cast<size_t>(i)]);
    }
    RunStream(0, *sessions[0], feeds, cfg, iterations, t0, &abort, &samples[0]);
    for (auto& w : workers) w.join();
    for (const auto& s : samples) {
      if (!s.status.ok()) return s.status.WithContext("measured run");
    }
  }
  rep.wall_s = Us(t0, Clock::now()) * 1e-6;
  const uint64_t allocs_after = cfg.allocations.read ? cfg.allocations.read() : 0;

  for (const auto& s : samples) {
    rep.samples_us.insert(rep.samples_us.end(), s.latency_us.begin(), s.latency_us.end());
    rep.sample_start_s.insert(rep.sample_start_s.end(), s.start_s.begin(), s.start_s.end());
  }
  const double runs = static_cast<double>(rep.samples_us.size());
  rep.latency = Summarize(rep.samples_us);
  rep.throughput_per_s = rep.wall_s > 0 ? runs / rep.wall_s : 0;
  rep.items_per_s = rep.throughput_per_s * cfg.inputs.batch;
  if (meter) {
    auto j = meter->Stop();
    if (j.ok()) {
      rep.energy = EnergyResult{*j, rep.wall_s > 0 ? *j / rep.wall_s : 0, meter->Describe()};
    } else {
      rep.energy_reason = "not available: " + j.status().message();
    }
  }
  if (cfg.allocations.read && runs > 0) {
    rep.allocations_per_run = static_cast<double>(allocs_after - allocs_before) / runs;
  } else {
    rep.allocations_reason = "not measured: no allocation counter installed";
  }
  auto rss = PeakRssBytes();
  if (rss.ok()) rep.peak_rss_bytes = *rss;
  else rep.peak_rss_reason = "not available: " + rss.status().message();
  const size_t arena = sessions[0]->impl().arena_bytes();
  if (arena > 0) {
    rep.arena_bytes = static_cast<int64_t>(arena);
  } else {
    rep.arena_reason = "none: no intermediate tensor is planned (graph with subgraphs or sequences, or all in a provider)";
  }
  std::optional<ProfileResult> prof;
  if (cfg.profile_runs > 0) {
    auto p = ProfileModel(cfg.model_path, cfg.session_options, feeds, cfg.profile_runs);
    if (!p.ok()) return p.status();
    prof = std::move(p).value();
    rep.profile = prof->profile;
  } else {
    rep.profile_reason = "not measured (--profile-runs 0)";
  }
  rep.realtime = rt;
  if (!cfg.pin_cpus.empty()) {
    for (size_t i = 0; i < cfg.pin_cpus.size(); ++i) rep.pin += (i ? "," : "") + std::to_string(cfg.pin_cpus[i]);
  }
  if (!cfg.trace_path.empty()) EDGERUN_RETURN_IF_ERROR_CTX(WriteTrace(cfg.trace_path, samples, prof ? &*prof : nullptr), "writing --profile");
  return rep;
}

}  // namespace edgerun::bench
