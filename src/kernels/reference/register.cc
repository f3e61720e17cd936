// The list of reference kernel families.
#include "kernels/reference/register.h"

namespace edgerun {

void RegisterReferenceKernels(KernelRegistry& r) {
  RegisterElementwiseKernels(r);
  RegisterNnKernels(r);
  RegisterMathKernels(r);
  RegisterTensorKernels(r);
  RegisterImageKernels(r);
  RegisterRnnKernels(r);
  RegisterQuantKernels(r);
  RegisterRandomKernels(r);
  RegisterControlFlowKernels(r);
  RegisterSignalKernels(r);
}

}  // namespace edgerun
