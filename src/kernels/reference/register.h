// Per-family registration of reference kernels; RegisterReferenceKernels calls them all.
#pragma once

#include "kernels/kernel.h"

namespace edgerun {

void RegisterElementwiseKernels(KernelRegistry& r);  // math, logic, compare, bitwise, activations, Cast
void RegisterNnKernels(KernelRegistry& r);           // Conv*, pools, normalizations
void RegisterMathKernels(KernelRegistry& r);         // Gemm, MatMul, Einsum, Reduce*, Softmax*, Arg*, TopK, CumSum
void RegisterTensorKernels(KernelRegistry& r);       // shape and data movement ops
void RegisterImageKernels(KernelRegistry& r);        // Resize, GridSample, RoiAlign, NMS
void RegisterRnnKernels(KernelRegistry& r);          // RNN, LSTM, GRU
void RegisterQuantKernels(KernelRegistry& r);        // Q/DQ and integer kernels
void RegisterRandomKernels(KernelRegistry& r);       // Random*, Bernoulli, Dropout
void RegisterControlFlowKernels(KernelRegistry& r);  // If, Loop, Scan, sequences, optionals
void RegisterSignalKernels(KernelRegistry& r);       // DFT, STFT, windows, MelWeightMatrix, misc

}  // namespace edgerun
