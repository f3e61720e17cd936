// Registration of control-flow, sequence and optional kernels.
#include "kernels/reference/control_flow.h"
#include "kernels/reference/register.h"

namespace edgerun {

void RegisterControlFlowKernels(KernelRegistry& r) {
  RegisterIfLoopKernels(r);
  RegisterScanKernels(r);
  RegisterSequenceKernels(r);
}

}  // namespace edgerun
