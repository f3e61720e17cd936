// Registration of the tensor (shape and data movement) family of reference kernels.
#include "kernels/reference/register.h"
#include "kernels/reference/tensor_util.h"

namespace edgerun {

void RegisterTensorKernels(KernelRegistry& r) {
  // Identity: aliases its input (tensor, sequence or optional).
  r.Register("Identity", [](const KernelCreateContext&) {
    return MakeFnKernel([](KernelContext& ctx) -> Status {
      if (ctx.input_value(0)) ctx.SetOutputValue(0, *ctx.input_value(0));
      return Status::Ok();
    });
  });
  RegisterTensorCreationKernels(r);
  RegisterTensorReshapeKernels(r);
  RegisterTensorTransposeKernels(r);
  RegisterTensorConcatKernels(r);
  RegisterTensorSliceKernels(r);
  RegisterTensorGatherKernels(r);
  RegisterTensorScatterKernels(r);
  RegisterTensorExpandKernels(r);
  RegisterTensorPadKernels(r);
  RegisterTensorSelectKernels(r);
  RegisterTensorUniqueKernels(r);
}

}  // namespace edgerun
