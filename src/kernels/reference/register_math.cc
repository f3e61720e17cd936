// Registration of the math family of reference kernels.
#include "kernels/reference/math_kernels.h"
#include "kernels/reference/register.h"

namespace edgerun {

void RegisterMathKernels(KernelRegistry& r) {
  RegisterGemmKernels(r);
  RegisterMatMulKernels(r);
  RegisterEinsumKernels(r);
  RegisterReduceKernels(r);
  RegisterSoftmaxKernels(r);
  RegisterArgMinMaxKernels(r);
  RegisterTopKKernels(r);
  RegisterCumSumKernels(r);
  RegisterLossKernels(r);
  RegisterDetKernels(r);
}

}  // namespace edgerun
