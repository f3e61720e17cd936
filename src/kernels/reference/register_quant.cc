// Registration of the quant family of reference kernels.
#include "kernels/reference/register.h"

namespace edgerun {

void RegisterQuantKernels(KernelRegistry& r) { (void)r; }

}  // namespace edgerun
