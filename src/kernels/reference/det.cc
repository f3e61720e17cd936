// Det reference kernel: determinants of the trailing square matrices of a [*, M, M] tensor,
// by LU decomposition with partial pivoting in double.
#include <cmath>
#include <utility>
#include <vector>

#include "kernels/reference/dispatch.h"
#include "kernels/reference/math_check.h"
#include "kernels/reference/math_kernels.h"

namespace edgerun {
namespace {

// Determinant of the m x m row-major matrix in `a` (destroyed).
double LuDeterminant(std::vector<double>& a, int64_t m) {
  double det = 1.0;
  for (int64_t c = 0; c < m; ++c) {
    int64_t piv = c;
    for (int64_t r = c + 1; r < m; ++r) {
      if (std::fabs(a[r * m + c]) > std::fabs(a[piv * m + c])) piv = r;
    }
    const double pv = a[piv * m + c];
    if (pv == 0.0) return 0.0;
    if (piv != c) {
      for (int64_t j = 0; j < m; ++j) std::swap(a[c * m + j], a[piv * m + j]);
      det = -det;
    }
    det *= pv;
    for (int64_t r = c + 1; r < m; ++r) {
      const double f = a[r * m + c] / pv;
      if (f == 0.0) continue;
      for (int64_t j = c + 1; j < m; ++j) a[r * m + j] -= f * a[c * m + j];
    }
  }
  return det;
}

Status DetRun(KernelContext& ctx) {
  EDGERUN_RETURN_IF_ERROR(CheckTensorInputs(ctx, 1, "Det"));
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2 || x.dim(x.rank() - 1) != x.dim(x.rank() - 2)) {
    return InvalidArgument("Det input must have shape [*, M, M], got " + ShapeToString(x.shape()));
  }
  const int64_t m = x.dim(x.rank() - 1);
  const Shape out_shape(x.shape().begin(), x.shape().end() - 2);
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), out_shape));
  return DispatchFloat(x.dtype(), "Det", [&]<typename T>() -> Status {
    const T* in = x.data<T>();
    T* out = y->data<T>();
    std::vector<double> a(static_cast<size_t>(m * m));
    for (int64_t b = 0; b < y->numel(); ++b) {
      for (int64_t i = 0; i < m * m; ++i) a[i] = static_cast<double>(in[b * m * m + i]);
      out[b] = static_cast<T>(LuDeterminant(a, m));
    }
    return Status::Ok();
  });
}

}  // namespace

void RegisterDetKernels(KernelRegistry& r) {
  r.Register("Det", [](const KernelCreateContext&) { return MakeFnKernel(DetRun); });
}

}  // namespace edgerun
