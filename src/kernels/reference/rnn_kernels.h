// Factories for the recurrent reference kernels (RNN, GRU, LSTM; opsets 7..21, layout from 14).
// Each validates the node's attributes at session creation and returns a kernel, or
// InvalidArgument naming the node. Kernels hold only immutable configuration: Run is const and
// thread-safe.
#pragma once

#include <memory>

#include "edgerun/status.h"
#include "kernels/kernel.h"

namespace edgerun {

Result<std::unique_ptr<Kernel>> CreateRnnKernel(const KernelCreateContext& ctx);
Result<std::unique_ptr<Kernel>> CreateGruKernel(const KernelCreateContext& ctx);
Result<std::unique_ptr<Kernel>> CreateLstmKernel(const KernelCreateContext& ctx);

}  // namespace edgerun
