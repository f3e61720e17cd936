// Registration of the signal family of reference kernels.
#include "kernels/reference/register.h"

namespace edgerun {

void RegisterSignalKernels(KernelRegistry& r) { (void)r; }

}  // namespace edgerun
