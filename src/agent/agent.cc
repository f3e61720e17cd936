// EdgeAgent: inference on the caller's thread; outbox writer and uploader in the background.
#include "edgerun/agent.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent/clock.h"
#include "agent/event.h"
#include "agent/http_transport.h"
#include "agent/json_log.h"
#include "agent/metrics.h"
#include "agent/mpmc_queue.h"
#include "agent/outbox.h"
#include "agent/postprocess.h"
#include "agent/routing.h"
#include "agent/thread_priority.h"
#include "agent/ulid.h"
#include "agent/uploader.h"
#include "edgerun/session.h"

namespace edgerun::agent {

class EdgeAgent::Impl {
 public:
  Impl(const AgentConfig& config, std::shared_ptr<Clock> clock)
      : config_(config),
        clock_(std::move(clock)),
        router_(config.routing),
        ulid_(config.routing.seed != 0 ? config.routing.seed ^ 0x5DEECE66Dull
                                        : (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()),
        queue_(config.outbox.queue_capacity) {}

  ~Impl() { Shutdown(); }

  Status Init(std::shared_ptr<HttpTransport> transport) {
    const ModelConfig& m = config_.model;
    std::ifstream in(m.path, std::ios::binary);
    if (!in) return NotFound("model '" + m.path + "': cannot open");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string bytes = ss.str();
    SessionOptions opts;
    opts.threads = m.threads;
    opts.providers = m.providers;
    auto session = Session::CreateFromBytes(bytes, opts, std::filesystem::path(m.path).parent_path().string());
    if (!session.ok()) return session.status().WithContext("model '" + m.path + "'");
    session_ = std::move(session).value();
    if (session_->inputs().size() != 1) {
      return Unsupported("model '" + m.path + "': the agent feeds exactly one input, the model has " +
                         std::to_string(session_->inputs().size()));
    }
    const TensorInfo& info = session_->inputs()[0];
    if (info.dtype != DataType::kFloat) return Unsupported("model '" + m.path + "': input is not float32");
    input_name_ = info.name;
    input_shape_ = info.dims;
    if (input_shape_.empty()) input_shape_ = {1};
    for (int64_t& d : input_shape_) {
      if (d < 0) d = 1;  // dynamic dims (batch): one sample
    }
    input_size_ = static_cast<size_t>(ShapeSize(input_shape_));
    output_index_ = 0;
    if (!config_.postprocess.output.empty()) {
      output_index_ = session_->outputs().size();
      for (size_t i = 0; i < session_->outputs().size(); ++i) {
        if (session_->outputs()[i].name == config_.postprocess.output) output_index_ = i;
      }
      if (output_index_ == session_->outputs().size()) {
        return InvalidArgument("postprocess.output: model has no output '" + config_.postprocess.output + "'");
      }
    }
    EDGERUN_RETURN_IF_ERROR(ValidatePreprocess(config_.preprocess, input_size_));

    if (config_.model.name.empty()) config_.model.name = std::filesystem::path(m.path).stem().string();
    metrics_.model = config_.model.name;
    metrics_.model_version = config_.model.version;
    metrics_.model_sha256 = Sha256Hex(bytes.data(), bytes.size());
    metrics_.device_id = config_.device_id;
    ctx_.device_id = config_.device_id;
    ctx_.model = config_.model.name;
    ctx_.model_version = config_.model.version;
    ctx_.labels = config_.postprocess.labels;
    ctx_.input = config_.routing.input;

    auto outbox = Outbox::Open(config_.outbox);
    if (!outbox.ok()) return outbox.status();
    outbox_ = std::move(outbox).value();
    auto last = outbox_->LastId();
    if (!last.ok()) return last.status();
    if (!last->empty()) {
      auto parsed = ParseUlid(*last);
      if (parsed.ok()) ulid_.Observe(*parsed);
    }

    if (config_.sync.enabled) {
      if (!transport) {
        auto t = MakeHttpTransport(config_.sync.url, config_.sync.timeout_ms);
        if (!t.ok()) return t.status();
        transport = *t;
      }
      UploaderOptions uo;
      uo.device_id = config_.device_id;
      uo.token = config_.sync.token;
      uo.batch_size = config_.sync.batch_size;
      uo.interval_ms = config_.sync.interval_ms;
      uo.backoff_initial_ms = config_.sync.backoff_initial_ms;
      uo.backoff_max_ms = config_.sync.backoff_max_ms;
      uo.seed = config_.routing.seed + 17;
      uo.status_json = [this] { return StatusJson(); };
      uploader_ = std::make_unique<Uploader>(outbox_.get(), transport, clock_, &metrics_, uo);
    }
    writer_ = std::thread([this] { WriterLoop(); });
    if (uploader_) uploader_->Start();
    LogInfo("agent started", {{"device_id", config_.device_id}, {"model", ctx_.model},
                              {"model_version", ctx_.model_version}, {"sha256", metrics_.model_sha256},
                              {"outbox", config_.outbox.path}, {"outbox_depth", outbox_->depth()},
                              {"sync", config_.sync.enabled}});
    return Status::Ok();
  }

  Result<InferenceResult> Infer(const float* data, size_t count) {
    const int64_t start_us = clock_->MonotonicMicros();
    if (count != input_size_) {
      metrics_.inference_errors.Inc("wrong_size");
      return InvalidArgument("input has " + std::to_string(count) + " values, model '" + ctx_.model + "' expects " +
                             std::to_string(input_size_));
    }
    if (!AllFinite(data, count)) {
      metrics_.inference_errors.Inc("non_finite");
      return InvalidArgument("input contains NaN or Inf");
    }
    thread_local std::vector<float> normalized;
    normalized.resize(count);
    Normalize(config_.preprocess, data, count, normalized.data());
    std::vector<NamedTensor> inputs;
    inputs.push_back({input_name_, Tensor::Wrap(DataType::kFloat, input_shape_, normalized.data())});
    auto outputs = session_->Run(inputs);
    if (!outputs.ok()) {
      metrics_.inference_errors.Inc("engine");
      return outputs.status().WithContext("model '" + ctx_.model + "'");
    }
    const Tensor& out = (*outputs)[output_index_].tensor;
    if (out.dtype() != DataType::kFloat) {
      metrics_.inference_errors.Inc("other");
      return Unsupported("model '" + ctx_.model + "': output is not float32");
    }
    InferenceResult r;
    r.outputs.assign(out.data<float>(), out.data<float>() + out.numel());
    if (config_.postprocess.softmax) SoftmaxInPlace(r.outputs);
    r.top_k = TopK(r.outputs, config_.postprocess.top_k);
    if (!r.top_k.empty()) {
      r.top_class = r.top_k[0].first;
      r.confidence = r.top_k[0].second;
    }
    if (r.top_class >= 0 && static_cast<size_t>(r.top_class) < config_.postprocess.labels.size()) {
      r.label = config_.postprocess.labels[static_cast<size_t>(r.top_class)];
    }
    const char* route = router_.Route(r.outputs);
    r.latency_us = clock_->MonotonicMicros() - start_us;
    metrics_.inferences.Inc();
    metrics_.inference_latency_seconds.Observe(static_cast<double>(r.latency_us) * 1e-6);
    metrics_.confidence.Observe(r.confidence);
    if (route[0] != '\0') {
      r.route = route;
      metrics_.routed.Inc();
      metrics_.routed_by.Inc(route);
      PendingEvent ev;
      ev.timestamp_ms = clock_->WallMillis();
      ev.input.assign(data, data + count);
      ev.top_class = r.top_class;
      ev.confidence = r.confidence;
      ev.top_k = r.top_k;
      ev.latency_us = r.latency_us;
      ev.route = route;
      r.queued = queue_.TryPush(ev);
      if (!r.queued) metrics_.outbox_drops.Inc("queue_full");
    }
    return r;
  }

  void Shutdown() {
    if (shut_down_.exchange(true)) return;
    if (uploader_) uploader_->Stop();
    stop_writer_.store(true);
    if (writer_.joinable()) writer_.join();
    if (outbox_) {
      LogInfo("agent stopped", {{"outbox_depth", outbox_->depth()}, {"outbox_bytes", outbox_->bytes()}});
    }
  }

  std::string StatusJson() {
    nlohmann::json drops = nlohmann::json::object();
    for (const std::string& l : metrics_.outbox_drops.labels()) drops[l] = metrics_.outbox_drops.value(l);
    nlohmann::json j = {{"outbox_depth", outbox_->depth()}, {"outbox_bytes", outbox_->bytes()}, {"drops", drops},
                        {"model", ctx_.model}, {"model_version", ctx_.model_version}};
    return j.dump();
  }

  std::string MetricsText() const {
    GaugeSnapshot g;
    g.outbox_depth = outbox_->depth();
    g.outbox_bytes = outbox_->bytes();
    g.queue_depth = queue_.SizeApprox();
    if (uploader_ && uploader_->last_success_us() >= 0) {
      g.seconds_since_last_sync = static_cast<double>(clock_->MonotonicMicros() - uploader_->last_success_us()) * 1e-6;
    }
    return metrics_.Render(g);
  }

  AgentConfig config_;
  std::shared_ptr<Clock> clock_;
  std::unique_ptr<Session> session_;
  std::string input_name_;
  Shape input_shape_;
  size_t input_size_ = 0;
  size_t output_index_ = 0;
  Router router_;
  AgentMetrics metrics_;
  EventContext ctx_;
  UlidGenerator ulid_;
  MpmcQueue<PendingEvent> queue_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Uploader> uploader_;
  std::thread writer_;
  std::atomic<bool> stop_writer_{false};
  std::atomic<bool> shut_down_{false};

 private:
  // Single consumer of the hand-off queue. Ids are assigned here, in commit order, so the
  // outbox's id order is also its commit order and the uploader never skips a later-committed
  // smaller id.
  void WriterLoop() {
    LowerThreadPriority();
    std::vector<OutboxRow> rows;
    const size_t batch_max = std::max<size_t>(1, config_.outbox.batch_max);
    for (;;) {
      rows.clear();
      while (rows.size() < batch_max) {
        std::optional<PendingEvent> ev = queue_.TryPop();
        if (!ev) break;
        ev->id = UlidToString(ulid_.Next(ev->timestamp_ms));
        rows.push_back({ev->id, SerializeEvent(ctx_, *ev)});
      }
      if (rows.empty()) {
        if (stop_writer_.load()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(std::max(1, config_.outbox.flush_interval_ms)));
        continue;
      }
      auto res = outbox_->Append(rows);
      if (!res.ok()) {
        metrics_.outbox_drops.Inc("write_error", rows.size());
        LogError("outbox write failed", {{"error", res.status().ToString()}, {"events", rows.size()}});
        continue;
      }
      metrics_.outbox_committed.Inc(res->stored);
      if (res->dropped_oldest) metrics_.outbox_drops.Inc("drop_oldest", res->dropped_oldest);
      if (res->rejected_new) metrics_.outbox_drops.Inc("reject_new", res->rejected_new);
      if (uploader_) uploader_->Notify();
    }
  }
};

Result<std::unique_ptr<EdgeAgent>> EdgeAgent::Create(const AgentConfig& config, AgentDeps deps) {
  if (config.outbox.queue_capacity == 0) return InvalidArgument("outbox.queue_capacity must be > 0");
  if (config.device_id.empty()) return InvalidArgument("device_id is empty");
  auto impl = std::make_unique<Impl>(config, deps.clock ? deps.clock : DefaultClock());
  Status st = impl->Init(deps.transport);
  if (!st.ok()) return st;
  return std::unique_ptr<EdgeAgent>(new EdgeAgent(std::move(impl)));
}

EdgeAgent::EdgeAgent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EdgeAgent::~EdgeAgent() { Shutdown(); }

Result<InferenceResult> EdgeAgent::Infer(const std::vector<float>& input) { return impl_->Infer(input.data(), input.size()); }
Result<InferenceResult> EdgeAgent::Infer(const float* data, size_t count) { return impl_->Infer(data, count); }
void EdgeAgent::Shutdown() {
  if (impl_) impl_->Shutdown();
}
std::string EdgeAgent::MetricsText() const { return impl_->MetricsText(); }
AgentMetrics& EdgeAgent::metrics() { return impl_->metrics_; }
const AgentConfig& EdgeAgent::config() const { return impl_->config_; }
size_t EdgeAgent::input_size() const { return impl_->input_size_; }
uint64_t EdgeAgent::OutboxDepth() const { return impl_->outbox_->depth(); }
uint64_t EdgeAgent::OutboxBytes() const { return impl_->outbox_->bytes(); }

}  // namespace edgerun::agent
