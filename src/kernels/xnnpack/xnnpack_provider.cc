// The XNNPACK execution provider (fp32): claims the nodes its op mappers can run
// (xnnpack_mappers.h) and compiles each partition into a PartitionKernel, which plans the
// partition as NHWC XNNPACK operators for the actual input shapes on its first run.
// Thread-safety: Claims/Compile may run concurrently (claims memoize element types under a mutex).
#include <memory>
#include <mutex>

#include <xnnpack.h>

#include "kernels/xnnpack/xnnpack_mappers.h"
#include "kernels/xnnpack/xnnpack_partition_kernel.h"
#include "runtime/provider.h"

namespace edgerun {

namespace {

class XnnpackProvider final : public ExecutionProvider {
 public:
  explicit XnnpackProvider(const ProviderContext& ctx) : ctx_(ctx) {}
  const char* name() const override { return "xnnpack"; }
  bool Claims(const ir::Graph& graph, const ir::Node& node) const override {
    std::lock_guard<std::mutex> lock(mu_);
    // Facts are rebuilt when asked about another graph (or the same address holding another one).
    if (!facts_ || !facts_->Describes(graph)) {
      facts_ = std::make_unique<xnn::GraphFacts>(graph);
    }
    return xnn::ClaimNode(graph, node, *facts_);
  }
  Result<std::unique_ptr<Kernel>> Compile(const ir::Graph& graph, const Partition& partition) const override {
    if (partition.nodes.empty()) return InvalidArgument("xnnpack: empty partition");
    auto k = xnn::PartitionKernel::Create(graph, partition, ctx_.pool, ctx_.threads, ctx_.onednn);
    if (!k.ok()) return k.status().WithContext("partition from " + partition.nodes.front()->Describe());
    return k;
  }

 private:
  ProviderContext ctx_;
  mutable std::mutex mu_;
  mutable std::unique_ptr<xnn::GraphFacts> facts_;
};

}  // namespace

Result<std::unique_ptr<ExecutionProvider>> CreateXnnpackProvider(const ProviderContext& ctx) {
  static std::once_flag once;
  static xnn_status init = xnn_status_uninitialized;
  std::call_once(once, [] { init = xnn_initialize(nullptr); });
  if (init != xnn_status_success) {
    return Unavailable(std::string("xnnpack provider: XNNPACK failed to initialize (") + xnn::XnnStatusName(init) +
                       "); use the \"cpu\" provider on this machine");
  }
  return std::unique_ptr<ExecutionProvider>(std::make_unique<XnnpackProvider>(ctx));
}

}  // namespace edgerun
