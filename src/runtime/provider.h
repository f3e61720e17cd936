// Execution providers: the engine partitions a graph among an ordered list of providers
// (ONNX Runtime's idea: providers = {"xnnpack", "onednn", "cpu"}). Each provider claims the nodes
// it can run; consecutive claimed nodes of one provider (in a topological order chosen to keep
// them together) form a Partition that the provider compiles into one Kernel. Nodes nobody
// claims run on the reference kernels ("cpu").
// Thread-safety: providers are immutable after creation; Claims/Compile may run concurrently.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "edgerun/status.h"
#include "kernels/kernel.h"

typedef struct pthreadpool* pthreadpool_t;

namespace edgerun {

// A convex set of nodes handed to one provider. `inputs` are the values the nodes read that are
// produced outside the partition (graph inputs or other nodes' outputs; never initializers, which
// the provider reads from graph.initializers). `outputs` are values produced inside and used
// outside (by later nodes, subgraphs or as graph outputs). The compiled kernel's ctx.input(i)
// is inputs[i]; it must set every output i.
struct Partition {
  std::vector<const ir::Node*> nodes;  // in execution order
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
};

struct ProviderContext {
  int threads = 1;
  // Shared intra-op pool (nullptr when threads == 1); owned by the session, outlives kernels.
  pthreadpool_t pool = nullptr;
  bool onednn = true;  // SessionOptions::onednn
};

class ExecutionProvider {
 public:
  virtual ~ExecutionProvider() = default;
  virtual const char* name() const = 0;
  // True when this provider will run `node`. Decides from the op, its attributes and the
  // initializers; called once per node at session creation. Nodes with subgraphs are never asked.
  virtual bool Claims(const ir::Graph& graph, const ir::Node& node) const = 0;
  // Compiles a partition of `graph` (which outlives the kernel). Errors name the nodes at fault.
  virtual Result<std::unique_ptr<Kernel>> Compile(const ir::Graph& graph, const Partition& partition) const = 0;
};

// Creates the provider called `name` ("xnnpack", "onednn"); "cpu"/"reference" yield nullptr
// (the reference kernels, always last). Unknown names fail listing the known ones.
Result<std::unique_ptr<ExecutionProvider>> CreateProvider(const std::string& name, const ProviderContext& ctx);

// Provider factories, one per provider directory.
Result<std::unique_ptr<ExecutionProvider>> CreateXnnpackProvider(const ProviderContext& ctx);

}  // namespace edgerun
