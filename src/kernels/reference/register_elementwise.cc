// Registration of the elementwise family of reference kernels: unary math, arithmetic, logic and
// comparison, variadic reductions, activations and casts.
#include "kernels/reference/elementwise_common.h"
#include "kernels/reference/register.h"

namespace edgerun {

void RegisterElementwiseKernels(KernelRegistry& r) {
  elementwise::RegisterUnaryMathKernels(r);
  elementwise::RegisterArithmeticKernels(r);
  elementwise::RegisterLogicKernels(r);
  elementwise::RegisterVariadicKernels(r);
  elementwise::RegisterActivationKernels(r);
  elementwise::RegisterClipPReluKernels(r);
  elementwise::RegisterCastKernels(r);
}

}  // namespace edgerun
