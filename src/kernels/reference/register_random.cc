// Registration of the random family of reference kernels: Random*, Bernoulli, Multinomial, Dropout.
#include "kernels/reference/random_kernels.h"
#include "kernels/reference/register.h"

namespace edgerun {

void RegisterRandomKernels(KernelRegistry& r) {
  r.Register("RandomNormal", CreateRandomNormal, 1);
  r.Register("RandomUniform", CreateRandomUniform, 1);
  r.Register("RandomNormalLike", CreateRandomNormalLike, 1);
  r.Register("RandomUniformLike", CreateRandomUniformLike, 1);
  r.Register("Bernoulli", CreateBernoulli, 15);
  r.Register("Multinomial", CreateMultinomial, 7);
  r.Register("Dropout", CreateDropout, 1);
}

}  // namespace edgerun
