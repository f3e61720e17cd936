// Registration entry points of the math family of reference kernels (one per source file);
// RegisterMathKernels (register_math.cc) calls them all.
#pragma once

#include "kernels/kernel.h"

namespace edgerun {

void RegisterGemmKernels(KernelRegistry& r);       // Gemm (gemm.cc)
void RegisterMatMulKernels(KernelRegistry& r);     // MatMul (matmul.cc)
void RegisterEinsumKernels(KernelRegistry& r);     // Einsum (einsum.cc)
void RegisterReduceKernels(KernelRegistry& r);     // Reduce* (reduce.cc)
void RegisterSoftmaxKernels(KernelRegistry& r);    // Softmax, LogSoftmax, Hardmax (softmax.cc)
void RegisterArgMinMaxKernels(KernelRegistry& r);  // ArgMax, ArgMin (argminmax.cc)
void RegisterTopKKernels(KernelRegistry& r);       // TopK (topk.cc)
void RegisterCumSumKernels(KernelRegistry& r);     // CumSum (cumsum.cc)
void RegisterLossKernels(KernelRegistry& r);       // SoftmaxCrossEntropyLoss, NegativeLogLikelihoodLoss (loss.cc)
void RegisterDetKernels(KernelRegistry& r);        // Det (det.cc)

}  // namespace edgerun
