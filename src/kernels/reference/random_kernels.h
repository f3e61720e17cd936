// Factories of the random-family reference kernels (registered in register_random.cc).
// Each validates the node's attributes and returns a kernel, or InvalidArgument naming the node.
// Thread-safety: the returned kernels are immutable; Run may be called concurrently (each Run
// draws from its own generator, see random_generator.h).
#pragma once

#include <memory>

#include "kernels/kernel.h"

namespace edgerun {

// random_kernels.cc
Result<std::unique_ptr<Kernel>> CreateRandomNormal(const KernelCreateContext& c);
Result<std::unique_ptr<Kernel>> CreateRandomUniform(const KernelCreateContext& c);
Result<std::unique_ptr<Kernel>> CreateRandomNormalLike(const KernelCreateContext& c);
Result<std::unique_ptr<Kernel>> CreateRandomUniformLike(const KernelCreateContext& c);
Result<std::unique_ptr<Kernel>> CreateBernoulli(const KernelCreateContext& c);
Result<std::unique_ptr<Kernel>> CreateMultinomial(const KernelCreateContext& c);

// random_dropout.cc
Result<std::unique_ptr<Kernel>> CreateDropout(const KernelCreateContext& c);

}  // namespace edgerun
