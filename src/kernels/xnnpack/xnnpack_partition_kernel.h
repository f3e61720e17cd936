// The kernel of one XNNPACK partition. The plan is built lazily on the first run for the actual
// input shapes and cached; a run with different input shapes re-plans. When the nodes cannot be
// mapped exactly for some shapes (or an input is not float), the partition runs on the reference
// kernels instead, so the answer is never wrong, only slower.
// Thread-safety: Run is const and may be called concurrently; runs of one partition are
// serialized on a mutex because the cached plan owns its buffers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kernels/kernel.h"
#include "kernels/xnnpack/xnnpack_plan.h"
#include "runtime/graph_executor.h"
#include "runtime/provider.h"

namespace edgerun::xnn {

// Runs of any partition that went to the reference fallback since process start (for tests).
int64_t FallbackRuns();

class PartitionKernel final : public Kernel {
 public:
  // Fails only when the reference fallback for the partition cannot be compiled.
  // `threads` is the intra-op thread count (oneDNN's; XNNPACK uses `pool`); `onednn` false keeps
  // every convolution off oneDNN (SessionOptions::onednn).
  static Result<std::unique_ptr<Kernel>> Create(const ir::Graph& graph, const Partition& partition, pthreadpool_t pool,
                                                int threads = 1, bool onednn = true);
  Status Run(KernelContext& ctx) const override;

 private:
  PartitionKernel(const ir::Graph& graph, const Partition& partition, pthreadpool_t pool);
  Result<std::unique_ptr<Plan>> BuildPlan(const KernelContext& ctx) const;
  Status RunPlan(KernelContext& ctx) const;
  Status RunFallback(KernelContext& ctx) const;

  const ir::Graph& graph_;
  std::vector<const ir::Node*> nodes_;
  std::vector<std::string> inputs_;
  std::vector<std::string> outputs_;
  std::map<std::string, int> uses_;
  pthreadpool_t pool_;
  std::shared_ptr<OneDnnRuntime> onednn_;  // nullptr: convolutions run on XNNPACK
  bool plain_ = false;                      // the graph's plans use the plain layout
  KernelRegistry registry_;                 // before fallback_, which uses it
  std::unique_ptr<GraphExecutor> fallback_;

  mutable std::mutex mu_;
  mutable std::unique_ptr<Plan> plan_;      // for plan_shapes_; null while falling back
  mutable std::vector<Shape> plan_shapes_;
  mutable bool planned_ = false;
};

}  // namespace edgerun::xnn
