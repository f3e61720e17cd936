// Registration of the random family of reference kernels.
#include "kernels/reference/register.h"

namespace edgerun {

void RegisterRandomKernels(KernelRegistry& r) { (void)r; }

}  // namespace edgerun
