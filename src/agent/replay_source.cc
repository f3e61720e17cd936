// Dataset replay at a fixed rate.
#include "agent/replay_source.h"

#include <chrono>

#include "agent/json_log.h"
#include "data/dataset.h"

namespace edgerun::agent {

Result<std::unique_ptr<ReplaySource>> ReplaySource::Create(const ReplayConfig& config, EdgeAgent* agent) {
  auto ds = data::LoadDataset(config.dataset);
  if (!ds.ok()) return ds.status().WithContext("replay.dataset");
  if (ds->size() == 0) return InvalidArgument("replay.dataset '" + config.dataset + "': no samples");
  if (ds->num_inputs() != 1) return InvalidArgument("replay.dataset '" + config.dataset + "': needs exactly one input");
  std::unique_ptr<ReplaySource> r(new ReplaySource(config, agent));
  for (size_t i = 0; i < ds->size(); ++i) {
    Tensor t = ds->Sample(i)[0];
    if (t.dtype() != DataType::kFloat) return InvalidArgument("replay.dataset '" + config.dataset + "': not float32");
    if (static_cast<size_t>(t.numel()) != agent->input_size()) {
      return InvalidArgument("replay.dataset '" + config.dataset + "': samples have " + std::to_string(t.numel()) +
                             " values, the model expects " + std::to_string(agent->input_size()));
    }
    r->samples_.emplace_back(t.data<float>(), t.data<float>() + t.numel());
  }
  return r;
}

ReplaySource::~ReplaySource() { Stop(); }

void ReplaySource::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void ReplaySource::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

void ReplaySource::Loop() {
  using Clock = std::chrono::steady_clock;
  const auto period = config_.rate_hz > 0 ? std::chrono::nanoseconds(static_cast<int64_t>(1e9 / config_.rate_hz))
                                          : std::chrono::nanoseconds(0);
  auto next = Clock::now();
  size_t i = 0;
  uint64_t errors = 0;
  while (!stop_.load()) {
    if (config_.limit && played_.load() >= config_.limit) break;
    if (i == samples_.size()) {
      if (!config_.loop) break;
      i = 0;
    }
    auto r = agent_->Infer(samples_[i++]);
    if (!r.ok() && errors++ < 10) LogWarn("replay inference failed", {{"error", r.status().ToString()}});
    played_.fetch_add(1);
    if (period.count() > 0) {
      next += period;
      auto now = Clock::now();
      if (next < now - std::chrono::milliseconds(100)) next = now;  // do not burst after a stall
      while (!stop_.load() && Clock::now() < next) {
        std::this_thread::sleep_until(std::min(next, Clock::now() + std::chrono::milliseconds(50)));
      }
    }
  }
  done_.store(true);
  LogInfo("replay finished", {{"played", played_.load()}});
}

}  // namespace edgerun::agent
