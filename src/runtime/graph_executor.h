// GraphExecutor: compiles an IR graph (topological order, value slots, one kernel per node)
// and runs it. Used for the main graph and, as SubgraphRunner, for If/Loop/Scan bodies.
// Thread-safety: Run is const and may be called concurrently; all per-run state is local.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "kernels/kernel.h"
#include "runtime/provider.h"

namespace edgerun {

class GraphExecutor final : public SubgraphRunner {
 public:
  // `outer_names` are names visible from enclosing graphs (empty for the main graph).
  // Fails naming the node for undefined inputs, cycles, duplicate outputs and unsupported ops
  // (all unsupported ops are listed at once). Nodes claimed by `providers` (in priority order)
  // run as compiled partitions; the rest on `registry`'s kernels.
  static Result<std::unique_ptr<GraphExecutor>> Create(std::shared_ptr<const ir::Graph> graph,
                                                       const KernelRegistry& registry,
                                                       const std::set<std::string>& outer_names,
                                                       const std::vector<const ExecutionProvider*>& providers = {});

  const ir::Graph& graph() const override { return *graph_; }
  // inputs bind to graph().inputs in order; a kNone input falls back to the initializer of the
  // same name when there is one.
  Result<std::vector<RValue>> Run(const std::vector<RValue>& inputs, const KernelContext& outer) const override;
  Result<std::vector<RValue>> RunWithLookup(const std::vector<RValue>& inputs,
                                            const KernelContext::OuterLookup& outer) const;
  // Like RunWithLookup, but writes the graph outputs into `results`, reusing its entries: an
  // output tensor already there with the right dtype and shape receives the data in place. With
  // planned memory and unchanged input shapes, this performs no heap allocation.
  Status RunInto(const std::vector<RValue>& inputs, const KernelContext::OuterLookup& outer,
                 std::vector<RValue>* results) const;

  // Serves intermediate tensors from a per-run-state arena planned from the tensor lifetimes
  // seen on a recording run (re-planned when input shapes or sizes change). Only for graphs
  // without subgraphs or sequences; returns false (and changes nothing) otherwise.
  bool EnablePlannedMemory();
  // Arena bytes of the most recent plan (0 before the first planned run); for reports.
  size_t planned_arena_bytes() const;

  using NodeObserver = std::function<void(const std::string&, const std::string&, int64_t, int64_t)>;
  // Called after each node of this graph (not of subgraphs) runs; see SessionOptions.
  void set_node_observer(NodeObserver o) { observer_ = std::move(o); }

  // Nodes in execution order (a compiled partition appears as one synthetic node).
  const std::vector<const ir::Node*>& order() const { return order_; }

 private:
  struct Step {
    const ir::Node* node;
    std::unique_ptr<Kernel> kernel;
    std::vector<int> inputs;       // slot per input; -1 omitted; -2 - k: outer name k
    std::vector<int> outputs;      // slot per output; -1 omitted
    std::vector<int> free_after;   // slots whose last use is this step
    std::vector<bool> required;    // per input: must hold a value (ONNX schema)
    std::vector<bool> tensor_only; // per input: must be a tensor
  };
  struct RunState;
  GraphExecutor();
 public:
  ~GraphExecutor() override;
 private:
  std::unique_ptr<RunState> AcquireState() const;
  void ReleaseState(std::unique_ptr<RunState> st) const;
  Status RunSteps(RunState& st, const std::vector<RValue>& inputs, const KernelContext::OuterLookup& outer,
                  const std::vector<RValue>* results) const;
  void Plan(RunState& st, const std::vector<RValue>& inputs) const;

  std::shared_ptr<const ir::Graph> graph_;
  std::map<std::string, int> slot_of_;
  std::vector<std::string> slot_names_;
  std::vector<std::string> outer_refs_;
  std::vector<int> input_slots_;
  std::vector<std::pair<int, Tensor>> initializer_slots_;
  std::vector<int> output_slots_;  // -2 - k for outer names
  std::vector<Step> steps_;
  std::vector<const ir::Node*> order_;
  std::vector<std::unique_ptr<ir::Node>> partition_nodes_;  // synthetic nodes of compiled partitions
  std::vector<bool> external_slot_;    // graph input or initializer: never freed or planned
  std::vector<bool> graph_output_slot_;
  std::vector<int> producer_step_;      // per slot, -1 when not produced by a step
  std::vector<size_t> last_use_step_;   // per slot (steps_.size() when never freed)
  bool plan_memory_ = false;
  mutable std::mutex states_mu_;
  mutable std::vector<std::unique_ptr<RunState>> free_states_;
  mutable size_t last_arena_bytes_ = 0;
  NodeObserver observer_;
};

}  // namespace edgerun
