// Registration entry points of the convolution kernels (Conv, ConvTranspose, Col2Im).
#pragma once

#include "kernels/kernel.h"

namespace edgerun {

void RegisterConvKernel(KernelRegistry& r);
void RegisterConvTransposeKernel(KernelRegistry& r);
void RegisterCol2ImKernel(KernelRegistry& r);
// com.edgerun FusedConv (Conv + residual + activation), see fused_conv.cc.
void RegisterFusedConvKernel(KernelRegistry& r);

}  // namespace edgerun
