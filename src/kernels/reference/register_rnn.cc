// Registration of the rnn family of reference kernels.
#include "kernels/reference/register.h"

namespace edgerun {

void RegisterRnnKernels(KernelRegistry& r) { (void)r; }

}  // namespace edgerun
