// Registration of the math family of reference kernels.
#include "kernels/reference/register.h"

namespace edgerun {

void RegisterMathKernels(KernelRegistry& r) { (void)r; }

}  // namespace edgerun
