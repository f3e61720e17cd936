// Registration of the image family of reference kernels.
#include "kernels/reference/register.h"

namespace edgerun {

void RegisterImageKernels(KernelRegistry& r) { (void)r; }

}  // namespace edgerun
