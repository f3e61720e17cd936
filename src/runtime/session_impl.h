// Internals of Session shared with in-tree tools (conformance runner, info): access to the IR
// and to runs with non-tensor values (sequences, optionals).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "edgerun/session.h"
#include "kernels/kernel.h"
#include "onnx/model_loader.h"
#include "runtime/graph_executor.h"
#include "runtime/provider.h"
#include "runtime/thread_pool.h"

namespace edgerun {

class SessionImpl {
 public:
  static Result<std::unique_ptr<SessionImpl>> Create(onnxio::Model model, const SessionOptions& options);

  const onnxio::Model& model() const { return model_; }
  const ir::Graph& graph() const { return *model_.graph; }
  const std::vector<TensorInfo>& inputs() const { return inputs_; }
  const std::vector<TensorInfo>& outputs() const { return outputs_; }

  Result<std::vector<NamedTensor>> Run(const std::vector<NamedTensor>& inputs) const;
  Status Run(const std::vector<NamedTensor>& inputs, std::vector<NamedTensor>* outputs) const;
  // Bytes of the planned intermediate-tensor arena after the latest run (0 when not planned).
  size_t arena_bytes() const { return executor_->planned_arena_bytes(); }
  // Runs with values by name (any kind), returning all graph outputs in order.
  Result<std::vector<RValue>> RunValues(const std::vector<std::pair<std::string, RValue>>& inputs) const;

 private:
  onnxio::Model model_;
  SessionOptions options_;
  std::unique_ptr<KernelRegistry> registry_;
  std::unique_ptr<ThreadPool> pool_;  // before providers_ and executor_: they use it
  std::vector<std::unique_ptr<ExecutionProvider>> providers_;
  std::unique_ptr<GraphExecutor> executor_;
  std::vector<TensorInfo> inputs_;
  std::vector<TensorInfo> outputs_;
  std::map<std::string, size_t> input_index_;  // graph input name -> position in graph().inputs
};

// Converts a declared IR type to the public TensorInfo.
TensorInfo ToTensorInfo(const ir::ValueInfo& vi);

}  // namespace edgerun
