// Registration of control-flow, sequence and optional kernels.
#include "kernels/reference/register.h"

namespace edgerun {

void RegisterControlFlowKernels(KernelRegistry& r) { (void)r; }

}  // namespace edgerun
