// Factories of the quantization reference kernels (registered in register_quant.cc).
// Each validates the node's attributes and returns a kernel, or InvalidArgument naming the node.
// Thread-safety: the returned kernels are immutable; Run may be called concurrently.
#pragma once

#include <memory>

#include "kernels/kernel.h"

namespace edgerun {

// quant_linear.cc
Result<std::unique_ptr<Kernel>> CreateQuantizeLinear(const KernelCreateContext& c);
Result<std::unique_ptr<Kernel>> CreateDequantizeLinear(const KernelCreateContext& c);
Result<std::unique_ptr<Kernel>> CreateDynamicQuantizeLinear(const KernelCreateContext& c);

// quant_matmul.cc
Result<std::unique_ptr<Kernel>> CreateMatMulInteger(const KernelCreateContext& c);
Result<std::unique_ptr<Kernel>> CreateQLinearMatMul(const KernelCreateContext& c);

// quant_conv.cc
Result<std::unique_ptr<Kernel>> CreateConvInteger(const KernelCreateContext& c);
Result<std::unique_ptr<Kernel>> CreateQLinearConv(const KernelCreateContext& c);

}  // namespace edgerun
