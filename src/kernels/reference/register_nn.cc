// Registration of the nn family of reference kernels: convolutions, pooling, normalizations.
#include "kernels/reference/conv.h"
#include "kernels/reference/norm.h"
#include "kernels/reference/pool.h"
#include "kernels/reference/register.h"

namespace edgerun {

void RegisterNnKernels(KernelRegistry& r) {
  RegisterConvKernel(r);
  RegisterConvTransposeKernel(r);
  RegisterCol2ImKernel(r);
  RegisterFusedConvKernel(r);
  RegisterWindowPoolKernels(r);
  RegisterGlobalPoolKernels(r);
  RegisterUnpoolKernels(r);
  RegisterBatchNormKernels(r);
  RegisterLayerNormKernels(r);
  RegisterMiscNormKernels(r);
}

}  // namespace edgerun
