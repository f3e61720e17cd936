// Registration of the quant family of reference kernels: Q/DQ and integer kernels.
#include "kernels/reference/quant_kernels.h"
#include "kernels/reference/register.h"

namespace edgerun {

void RegisterQuantKernels(KernelRegistry& r) {
  r.Register("QuantizeLinear", CreateQuantizeLinear, 10);
  r.Register("DequantizeLinear", CreateDequantizeLinear, 10);
  r.Register("DynamicQuantizeLinear", CreateDynamicQuantizeLinear, 11);
  r.Register("MatMulInteger", CreateMatMulInteger, 10);
  r.Register("QLinearMatMul", CreateQLinearMatMul, 10);
  r.Register("ConvInteger", CreateConvInteger, 10);
  r.Register("QLinearConv", CreateQLinearConv, 10);
}

}  // namespace edgerun
