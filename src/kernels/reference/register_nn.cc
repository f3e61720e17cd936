// Registration of the nn family of reference kernels.
#include "kernels/reference/register.h"

namespace edgerun {

void RegisterNnKernels(KernelRegistry& r) { (void)r; }

}  // namespace edgerun
