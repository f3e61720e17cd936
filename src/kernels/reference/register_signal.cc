// Registration of the signal family of reference kernels: DFT, STFT, windows, MelWeightMatrix,
// TfIdfVectorizer.
#include "kernels/reference/register.h"
#include "kernels/reference/signal_kernels.h"

namespace edgerun {

void RegisterSignalKernels(KernelRegistry& r) {
  r.Register("DFT", CreateDft, 17);
  r.Register("STFT", CreateStft, 17);
  r.Register("HannWindow", CreateHannWindow, 17);
  r.Register("HammingWindow", CreateHammingWindow, 17);
  r.Register("BlackmanWindow", CreateBlackmanWindow, 17);
  r.Register("MelWeightMatrix", CreateMelWeightMatrix, 17);
  r.Register("TfIdfVectorizer", CreateTfIdfVectorizer, 9);
}

}  // namespace edgerun
