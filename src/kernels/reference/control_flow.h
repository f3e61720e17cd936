// Shared pieces of the control-flow, sequence and optional kernels.
#pragma once

#include <string>
#include <vector>

#include "kernels/kernel.h"

namespace edgerun {

// Stacks equal-shaped tensors along a new leading axis.
Result<Tensor> StackTensors(const std::vector<Tensor>& parts, const std::string& what);
// Compiles the graph attribute `name` of the node being created.
Result<std::unique_ptr<SubgraphRunner>> CompileBodyAttr(const KernelCreateContext& kc, const char* name);
// Concatenates tensors along `axis` (all other dims equal).
Result<Tensor> ConcatTensors(const std::vector<Tensor>& parts, int64_t axis, const std::string& what);
// Copies [begin, end) of `t` along `axis` into a new tensor.
Result<Tensor> SliceAxis(const Tensor& t, int64_t axis, int64_t begin, int64_t end);

void RegisterIfLoopKernels(KernelRegistry& r);
void RegisterScanKernels(KernelRegistry& r);
void RegisterSequenceKernels(KernelRegistry& r);

}  // namespace edgerun
