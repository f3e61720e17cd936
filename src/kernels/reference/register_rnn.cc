// Registration of the rnn family of reference kernels.
#include "kernels/reference/register.h"
#include "kernels/reference/rnn_kernels.h"

namespace edgerun {

void RegisterRnnKernels(KernelRegistry& r) {
  r.Register("RNN", CreateRnnKernel, 7);
  r.Register("GRU", CreateGruKernel, 7);
  r.Register("LSTM", CreateLstmKernel, 7);
}

}  // namespace edgerun
