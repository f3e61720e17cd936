// Registration of the image family of reference kernels.
#include "kernels/reference/image_kernels.h"
#include "kernels/reference/register.h"

namespace edgerun {

void RegisterImageKernels(KernelRegistry& r) {
  r.Register("Upsample", CreateUpsampleKernel, 7);
  r.Register("Resize", CreateResizeKernel, 10);
  r.Register("GridSample", CreateGridSampleKernel, 16);
  r.Register("AffineGrid", CreateAffineGridKernel, 20);
  r.Register("RoiAlign", CreateRoiAlignKernel, 10);
  r.Register("NonMaxSuppression", CreateNonMaxSuppressionKernel, 10);
}

}  // namespace edgerun
