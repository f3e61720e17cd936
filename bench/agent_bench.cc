// edgerun_agent_bench: the edge agent's hot path and store-and-forward throughput.
//   (a) Infer latency p50/p90/p99/p99.9/max with sync off vs sync running (paced control loop,
//       rounds alternate off/on; medians over rounds), target p99(on) <= 1.1 x p99(off);
//   (b) sustained Infer/s in a tight loop with ~20% of results routed to the outbox while the
//       uploader syncs (target >= 10,000/s);
//   (c) outbox commit rate, events/s in 1024-event transactions (target >= 20,000/s).
// The cloud is an in-process cpp-httplib server on loopback that parses each batch and answers
// 200 like `edgerun cloud` (its threads niced: in production it is another machine).
//
//   edgerun_agent_bench [--model PATH] [--data PATH] [--runs N] [--rounds R] [--rate HZ]
//                       [--seconds S] [--json PATH]
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent/metrics.h"
#include "agent/outbox.h"
#include "agent/thread_priority.h"
#include "agent/ulid.h"
#include "data/dataset.h"
#include "edgerun/agent.h"

namespace {

using namespace edgerun;
using namespace edgerun::agent;
using SteadyClock = std::chrono::steady_clock;

struct Args {
  std::string model = std::string(EDGERUN_SOURCE_DIR) + "/models/sensor_mlp/model.onnx";
  std::string data = std::string(EDGERUN_SOURCE_DIR) + "/models/sensor_mlp/data";
  int runs = 5000;
  int rounds = 3;
  double rate = 1000;
  double seconds = 3;
  std::string json;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

double Median(std::vector<double> v) { return Percentile(std::move(v), 50); }

class FakeCloud {
 public:
  FakeCloud() {
    server_.Post("/api/v1/events", [this](const httplib::Request& req, httplib::Response& res) {
      // The cloud is another machine in production; here it shares the device's cores, so its
      // threads run at a lower priority to approximate that.
      thread_local bool niced = false;
      if (!niced) {
        LowerThreadPriority(10);
        niced = true;
      }
      auto j = nlohmann::json::parse(req.body, nullptr, false);
      size_t n = j.is_discarded() ? 0 : j["events"].size();
      events_ += n;
      res.set_content("{\"accepted\":" + std::to_string(n) + ",\"duplicates\":0}", "application/json");
    });
    server_.set_tcp_nodelay(true);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeCloud() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  uint64_t events() const { return events_.load(); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
  std::atomic<uint64_t> events_{0};
};

AgentConfig BaseConfig(const Args& a, const std::string& dir, bool sync, int cloud_port) {
  AgentConfig c;
  c.device_id = "bench";
  c.model.path = a.model;
  c.postprocess.labels = {"normal", "imbalance", "misalignment", "bearing_fault"};
  c.routing.threshold = 0.0;   // nothing is "uncertain"...
  c.routing.sample_rate = 0.2;  // ...and 20% is sampled: a fixed 20% routed
  c.routing.seed = 1;
  c.outbox.path = dir + "/outbox.db";
  std::filesystem::remove(c.outbox.path);
  std::filesystem::remove(c.outbox.path + "-wal");
  std::filesystem::remove(c.outbox.path + "-shm");
  c.outbox.max_events = 1000000;
  c.outbox.max_bytes = 1ull << 30;
  if (sync) {
    c.sync.enabled = true;
    c.sync.url = "http://127.0.0.1:" + std::to_string(cloud_port);
    c.sync.token = "bench";
    c.sync.batch_size = 50;
    c.sync.interval_ms = 5000;
  }
  return c;
}

nlohmann::json LatencyStats(const std::vector<double>& us) {
  return {{"p50_us", Percentile(us, 50)}, {"p90_us", Percentile(us, 90)}, {"p99_us", Percentile(us, 99)},
          {"p999_us", Percentile(us, 99.9)}, {"max_us", us.empty() ? 0 : *std::max_element(us.begin(), us.end())}};
}

// One paced round; returns per-call latencies in microseconds.
std::vector<double> LatencyRound(EdgeAgent& agent, const std::vector<std::vector<float>>& samples, const Args& a) {
  std::vector<double> us;
  us.reserve(static_cast<size_t>(a.runs));
  auto period = std::chrono::nanoseconds(static_cast<int64_t>(1e9 / a.rate));
  auto next = SteadyClock::now();
  for (int i = 0; i < a.runs; ++i) {
    auto t0 = SteadyClock::now();
    auto r = agent.Infer(samples[static_cast<size_t>(i) % samples.size()]);
    auto t1 = SteadyClock::now();
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      std::exit(1);
    }
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    next += period;
    std::this_thread::sleep_until(next);
  }
  return us;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto v = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (k == "--model") a.model = v();
    else if (k == "--data") a.data = v();
    else if (k == "--runs") a.runs = std::stoi(v());
    else if (k == "--rounds") a.rounds = std::stoi(v());
    else if (k == "--rate") a.rate = std::stod(v());
    else if (k == "--seconds") a.seconds = std::stod(v());
    else if (k == "--json") a.json = v();
    else {
      std::fprintf(stderr, "usage: %s [--model P] [--data P] [--runs N] [--rounds R] [--rate HZ] [--seconds S] [--json P]\n", argv[0]);
      return 2;
    }
  }
  auto ds = data::LoadDataset(a.data);
  if (!ds.ok()) {
    std::fprintf(stderr, "%s\n", ds.status().ToString().c_str());
    return 1;
  }
  std::vector<std::vector<float>> samples;
  for (size_t i = 0; i < ds->size(); ++i) {
    Tensor t = ds->Sample(i)[0];
    samples.emplace_back(t.data<float>(), t.data<float>() + t.numel());
  }
  const std::string dir = (std::filesystem::temp_directory_path() / ("edgerun_agent_bench_" + std::to_string(getpid()))).string();
  std::filesystem::create_directories(dir);
  FakeCloud cloud;
  nlohmann::json out;
  out["machine"] = {{"cores", std::thread::hardware_concurrency()}};
  out["model"] = a.model;

  // (a) latency, sync off vs on, alternating rounds.
  std::vector<double> p99_off, p99_on, all_off, all_on;
  for (int round = 0; round < a.rounds; ++round) {
    for (bool sync : {false, true}) {
      auto agent = EdgeAgent::Create(BaseConfig(a, dir, sync, cloud.port()));
      if (!agent.ok()) {
        std::fprintf(stderr, "%s\n", agent.status().ToString().c_str());
        return 1;
      }
      for (int w = 0; w < 200; ++w) (void)(*agent)->Infer(samples[static_cast<size_t>(w) % samples.size()]);
      auto us = LatencyRound(**agent, samples, a);
      (sync ? p99_on : p99_off).push_back(Percentile(us, 99));
      auto& all = sync ? all_on : all_off;
      all.insert(all.end(), us.begin(), us.end());
      (*agent)->Shutdown();
    }
  }
  double ratio = Median(p99_on) / Median(p99_off);
  out["latency"] = {{"rate_hz", a.rate}, {"runs_per_round", a.runs}, {"rounds", a.rounds},
                    {"sync_off", LatencyStats(all_off)}, {"sync_on", LatencyStats(all_on)},
                    {"median_round_p99_off_us", Median(p99_off)}, {"median_round_p99_on_us", Median(p99_on)},
                    {"p99_ratio_on_over_off", ratio}, {"target_ratio", 1.1}};
  std::printf("(a) latency at %.0f Hz: p99 sync off %.1f us, sync on %.1f us, ratio %.3f (target <= 1.1)\n", a.rate,
              Median(p99_off), Median(p99_on), ratio);

  // (b) sustained throughput with 20% routed while syncing.
  {
    uint64_t cloud_before = cloud.events();
    auto agent = EdgeAgent::Create(BaseConfig(a, dir, true, cloud.port()));
    if (!agent.ok()) return 1;
    auto t0 = SteadyClock::now();
    uint64_t n = 0, routed = 0;
    while (std::chrono::duration<double>(SteadyClock::now() - t0).count() < a.seconds) {
      for (int k = 0; k < 100; ++k, ++n) {
        auto r = (*agent)->Infer(samples[n % samples.size()]);
        routed += !r->route.empty();
      }
    }
    double secs = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    auto& m = (*agent)->metrics();
    uint64_t queue_full = m.outbox_drops.value("queue_full");
    (*agent)->Shutdown();
    double ips = static_cast<double>(n) / secs;
    out["throughput"] = {{"inferences", n}, {"seconds", secs}, {"inferences_per_s", ips},
                         {"routed", routed}, {"routed_fraction", static_cast<double>(routed) / static_cast<double>(n)},
                         {"committed", m.outbox_committed.value()}, {"queue_full_drops", queue_full},
                         {"uploaded_during_run", cloud.events() - cloud_before}, {"target_per_s", 10000}};
    std::printf("(b) sustained: %.0f inferences/s, %.1f%% routed, %llu committed, %llu queue_full, %llu uploaded\n", ips,
                100.0 * static_cast<double>(routed) / static_cast<double>(n),
                static_cast<unsigned long long>(m.outbox_committed.value()), static_cast<unsigned long long>(queue_full),
                static_cast<unsigned long long>(cloud.events() - cloud_before));
  }

  // (c) outbox commit rate.
  for (const char* sync : {"full", "normal"}) {
    OutboxConfig oc;
    oc.path = dir + "/commit-" + sync + ".db";
    oc.synchronous = sync;
    oc.max_events = 10000000;
    oc.max_bytes = 4ull << 30;
    auto box = Outbox::Open(oc);
    if (!box.ok()) return 1;
    UlidGenerator gen(7);
    std::string body(600, 'x');  // the size of a sensor_mlp event with its raw input
    std::vector<OutboxRow> batch(1024);
    uint64_t n = 0, txs = 0;
    auto t0 = SteadyClock::now();
    while (std::chrono::duration<double>(SteadyClock::now() - t0).count() < a.seconds) {
      for (auto& row : batch) row = {UlidToString(gen.Next(0)), body};
      if (!(*box)->Append(batch).ok()) return 1;
      n += batch.size();
      ++txs;
    }
    double secs = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    out["commit"][sync] = {{"events", n}, {"transactions", txs}, {"events_per_s", static_cast<double>(n) / secs},
                           {"batch", 1024}, {"event_bytes", body.size()}, {"target_per_s", 20000}};
    std::printf("(c) outbox commit (synchronous=%s): %.0f events/s (%llu transactions of 1024)\n", sync,
                static_cast<double>(n) / secs, static_cast<unsigned long long>(txs));
  }
  std::filesystem::remove_all(dir);
  if (!a.json.empty()) {
    std::ofstream(a.json) << out.dump(2) << "\n";
  }
  return 0;
}
