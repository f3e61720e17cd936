// Partition kernel: plan cache, layout conversion at the borders, reference fallback.
#include "kernels/xnnpack/xnnpack_partition_kernel.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "kernels/xnnpack/xnnpack_layout.h"
#include "kernels/xnnpack/xnnpack_mappers.h"
#include "kernels/xnnpack/xnnpack_onednn_conv.h"

namespace edgerun::xnn {

namespace {

// Below this much work per run (flops of dense steps, output elements of the others) a plan's
// XNNPACK operators run on the calling thread.
constexpr double kMinPlanWorkForPool = 4e6;

std::atomic<int64_t> g_fallback_runs{0};

bool Verbose() {
  static const bool verbose = std::getenv("EDGERUN_XNNPACK_VERBOSE") != nullptr;
  return verbose;
}

}  // namespace

int64_t FallbackRuns() { return g_fallback_runs.load(); }

PartitionKernel::PartitionKernel(const ir::Graph& graph, const Partition& partition, pthreadpool_t pool)
    : graph_(graph),
      nodes_(partition.nodes),
      inputs_(partition.inputs),
      outputs_(partition.outputs),
      pool_(pool),
      plain_(PlainLayoutGraph(graph)) {
  for (const ir::Node* n : nodes_) {
    for (const auto& in : n->inputs) {
      if (!in.empty()) ++uses_[in];
    }
  }
  for (const auto& o : outputs_) ++uses_[o];
}

Result<std::unique_ptr<Kernel>> PartitionKernel::Create(const ir::Graph& graph, const Partition& partition,
                                                        pthreadpool_t pool, int threads, bool onednn) {
  std::unique_ptr<PartitionKernel> k(new PartitionKernel(graph, partition, pool));
  if (onednn) k->onednn_ = OneDnnRuntime::Create(threads);
  RegisterReferenceKernels(k->registry_);
  auto g = std::make_shared<ir::Graph>();
  g->name = "xnnpack_fallback";
  g->opsets = graph.opsets;
  for (const ir::Node* n : partition.nodes) {
    g->nodes.push_back(*n);
    for (const auto& in : n->inputs) {
      auto it = graph.initializers.find(in);
      if (it != graph.initializers.end()) g->initializers[in] = it->second;
    }
  }
  for (const auto& in : partition.inputs) g->inputs.push_back(ir::ValueInfo{in, {}});
  for (const auto& out : partition.outputs) g->outputs.push_back(ir::ValueInfo{out, {}});
  auto ex = GraphExecutor::Create(std::move(g), k->registry_, {});
  if (!ex.ok()) return ex.status().WithContext("reference fallback for the partition");
  k->fallback_ = std::move(ex).value();
  return std::unique_ptr<Kernel>(std::move(k));
}

Result<std::unique_ptr<Plan>> PartitionKernel::BuildPlan(const KernelContext& ctx) const {
  auto plan = std::make_unique<Plan>();
  plan->SetOneDnn(onednn_);
  plan->SetPlainLayout(plain_);
  BuildContext bc{graph_, *plan, {}, uses_, std::set<std::string>(outputs_.begin(), outputs_.end()), {}, {}};
  std::vector<int> ins, outs;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const int v = plan->AddValue(ctx.input(i).shape());
    plan->value(v).is_input = true;
    bc.Define(inputs_[i], v);
    ins.push_back(v);
  }
  for (const ir::Node* n : nodes_) EDGERUN_RETURN_IF_ERROR(MapNode(bc, *n));
  for (const auto& o : outputs_) {
    auto it = bc.value_of.find(o);
    if (it == bc.value_of.end()) return Internal("partition output '" + o + "' was not produced");
    outs.push_back(it->second);
  }
  plan->SetInputs(std::move(ins));
  plan->SetOutputs(std::move(outs));
  // oneDNN's OpenMP threads and XNNPACK's pthreadpool workers both spin while they wait; with both
  // teams live they fight over the cores (squeezenet1_1 at 2 threads: 11 ms -> 90 ms). When the
  // plan has oneDNN steps (which carry nearly all the FLOPs), XNNPACK's steps run on the caller.
  // A plan with little work runs on the caller too: waking the pool's workers for each of its
  // operators costs more than they save (sensor_transformer's partitions, 0.1-0.7 MFLOP each: 109
  // us at 1 thread, 106-128 us min and 147-186 us p50 with the pool at 2).
  bool any_onednn = false;
  double work = 0;
  for (size_t s = 0; s < plan->num_steps(); ++s) {
    const Step& st = plan->step(static_cast<int>(s));
    if (st.openmp) any_onednn = true;
    double out = 0;
    for (int v : st.outputs) out += static_cast<double>(ShapeSize(plan->value(v).shape));
    work += std::max(st.flops, out);
  }
  EDGERUN_RETURN_IF_ERROR(plan->Finalize(any_onednn || work < kMinPlanWorkForPool ? nullptr : pool_));
  if (Verbose()) {
    std::fprintf(stderr, "xnnpack: planned %zu nodes from '%s' as %zu operators\n", nodes_.size(),
                 nodes_.front()->name.c_str(), plan->num_steps());
  }
  return plan;
}

Status PartitionKernel::Run(KernelContext& ctx) const {
  std::lock_guard<std::mutex> lock(mu_);
  bool floats = true;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (!ctx.has_input(i) || !ctx.input_value(i)->is_tensor() || ctx.input(i).dtype() != DataType::kFloat) floats = false;
  }
  if (!floats) return RunFallback(ctx);
  // XNNPACK's clamps (min/max instructions) turn NaN into numbers; NaN must propagate as ONNX
  // says, so inputs holding NaN take the reference kernels. O(n) over the partition's inputs.
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const float* p = ctx.input(i).data<float>();
    const int64_t n = ctx.input(i).numel();
    bool nan = false;
    for (int64_t k = 0; k < n; ++k) nan |= p[k] != p[k];
    if (nan) return RunFallback(ctx);
  }
  bool same = planned_ && plan_shapes_.size() == inputs_.size();
  for (size_t i = 0; same && i < inputs_.size(); ++i) same = plan_shapes_[i] == ctx.input(i).shape();
  if (!same) {
    plan_.reset();
    plan_shapes_.clear();
    for (size_t i = 0; i < inputs_.size(); ++i) plan_shapes_.push_back(ctx.input(i).shape());
    planned_ = true;
    auto plan = BuildPlan(ctx);
    if (plan.ok()) {
      plan_ = std::move(plan).value();
    } else if (Verbose()) {
      std::fprintf(stderr, "xnnpack: partition from '%s' falls back to the reference kernels: %s\n",
                   nodes_.front()->name.c_str(), plan.status().ToString().c_str());
    }
  }
  if (!plan_) return RunFallback(ctx);
  return RunPlan(ctx);
}

Status PartitionKernel::RunPlan(KernelContext& ctx) const {
  Plan& plan = *plan_;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const int v = plan.inputs()[i];
    const Value& val = plan.value(v);
    const float* src = ctx.input(i).data<float>();
    if (val.channels_last && !val.LayoutTrivial()) {
      NchwToNhwc(src, plan.Data(v), val.shape[0], val.shape[1], val.pixels() / val.shape[0], val.stride);
    } else {
      CopyRows(src, static_cast<size_t>(val.channels()), plan.Data(v), val.stride, val.pixels(), val.channels());
    }
  }
  EDGERUN_RETURN_IF_ERROR(plan.Run());
  for (size_t j = 0; j < outputs_.size(); ++j) {
    const int v = plan.outputs()[j];
    const Value& val = plan.value(v);
    Tensor* out;
    EDGERUN_ASSIGN_OR_RETURN(out, ctx.AllocateOutput(j, DataType::kFloat, val.shape));
    float* dst = out->data<float>();
    if (val.channels_last && !val.LayoutTrivial()) {
      NhwcToNchw(plan.Data(v), dst, val.shape[0], val.shape[1], val.pixels() / val.shape[0], val.stride);
    } else {
      CopyRows(plan.Data(v), val.stride, dst, static_cast<size_t>(val.channels()), val.pixels(), val.channels());
    }
  }
  return Status::Ok();
}

Status PartitionKernel::RunFallback(KernelContext& ctx) const {
  g_fallback_runs.fetch_add(1);
  std::vector<RValue> ins;
  ins.reserve(inputs_.size());
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const RValue* v = ctx.input_value(i);
    ins.push_back(v ? *v : RValue());
  }
  std::vector<RValue> outs;
  EDGERUN_ASSIGN_OR_RETURN(outs, fallback_->RunWithLookup(ins, nullptr));
  for (size_t j = 0; j < outs.size(); ++j) ctx.SetOutputValue(j, std::move(outs[j]));
  return Status::Ok();
}

}  // namespace edgerun::xnn
