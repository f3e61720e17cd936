// Softmax, LogSoftmax and Hardmax reference kernels. Before opset 13 the input is coerced to 2-D
// at `axis` (default 1) and the operation runs over the flattened trailing dims; from opset 13
// it runs along the single axis `axis` (default -1).
#include "kernels/reference/softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/math_check.h"
#include "kernels/reference/math_kernels.h"
#include "kernels/reference/vector_math.h"

namespace edgerun {

template <typename T>
void SoftmaxAlongAxis(SoftmaxKind kind, const AxisSplit& s, const T* in, T* out) {
  std::vector<double> row(static_cast<size_t>(s.axis));
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      const int64_t base = o * s.axis * s.inner + i;
      double mx = -std::numeric_limits<double>::infinity();
      int64_t arg = 0;
      for (int64_t a = 0; a < s.axis; ++a) {
        row[a] = static_cast<double>(in[base + a * s.inner]);
        if (row[a] > mx) {
          mx = row[a];
          arg = a;
        }
      }
      if (kind == SoftmaxKind::kHardmax) {
        for (int64_t a = 0; a < s.axis; ++a) out[base + a * s.inner] = static_cast<T>(a == arg ? 1.0 : 0.0);
        continue;
      }
      if (!std::isfinite(mx)) mx = 0;  // all -inf (or an inf present): let the arithmetic give inf/NaN
      double sum = 0;
      for (int64_t a = 0; a < s.axis; ++a) sum += std::exp(row[a] - mx);
      if (kind == SoftmaxKind::kSoftmax) {
        for (int64_t a = 0; a < s.axis; ++a) out[base + a * s.inner] = static_cast<T>(std::exp(row[a] - mx) / sum);
      } else {
        const double log_sum = std::log(sum);
        for (int64_t a = 0; a < s.axis; ++a) out[base + a * s.inner] = static_cast<T>(row[a] - mx - log_sum);
      }
    }
  }
}

void SoftmaxLastAxisF32(SoftmaxKind kind, const AxisSplit& s, const float* in, float* out) {
  const int64_t n = s.axis;
  for (int64_t o = 0; o < s.outer; ++o) {
    const float* x = in + o * n;
    float* y = out + o * n;
    float mx = -std::numeric_limits<float>::infinity();
    for (int64_t a = 0; a < n; ++a) mx = x[a] > mx ? x[a] : mx;
    if (!std::isfinite(mx)) {  // all -inf, or an inf present: the reference's arithmetic
      const AxisSplit row{1, n, 1};
      SoftmaxAlongAxis<float>(kind, row, x, y);
      continue;
    }
    for (int64_t a = 0; a < n; ++a) y[a] = x[a] - mx;
    if (kind == SoftmaxKind::kLogSoftmax) {
      // y = (x - max) - log(sum exp(x - max)): the exps are taken on a stack copy, in chunks,
      // so that y keeps x - max.
      float sum = 0;
      for (int64_t a0 = 0; a0 < n; a0 += 256) {
        float e[256];
        const int64_t len = std::min<int64_t>(256, n - a0);
        std::copy_n(y + a0, len, e);
        ExpInPlace(e, len);
        for (int64_t a = 0; a < len; ++a) sum += e[a];
      }
      const float log_sum = std::log(sum);
      for (int64_t a = 0; a < n; ++a) y[a] -= log_sum;
      continue;
    }
    ExpInPlace(y, n);
    float sum = 0;
    for (int64_t a = 0; a < n; ++a) sum += y[a];
    const float inv = 1.0f / sum;
    for (int64_t a = 0; a < n; ++a) y[a] *= inv;
  }
}

template void SoftmaxAlongAxis<float>(SoftmaxKind, const AxisSplit&, const float*, float*);
template void SoftmaxAlongAxis<double>(SoftmaxKind, const AxisSplit&, const double*, double*);
template void SoftmaxAlongAxis<Half>(SoftmaxKind, const AxisSplit&, const Half*, Half*);
template void SoftmaxAlongAxis<BFloat16>(SoftmaxKind, const AxisSplit&, const BFloat16*, BFloat16*);

namespace {

void RegisterSoftmaxOp(KernelRegistry& r, const char* name, SoftmaxKind kind) {
  r.Register(name, [name, kind](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    const bool coerce_2d = kc.opset < 13;
    const int64_t axis_attr = kc.node.GetInt("axis", coerce_2d ? 1 : -1);
    return MakeFnKernel([name, kind, coerce_2d, axis_attr](KernelContext& ctx) -> Status {
      EDGERUN_RETURN_IF_ERROR(CheckTensorInputs(ctx, 1, name));
      const Tensor& x = ctx.input(0);
      int64_t axis;
      EDGERUN_ASSIGN_OR_RETURN(axis, NormalizeAxis(axis_attr, x.rank()));
      AxisSplit s;
      if (coerce_2d) {
        s.outer = 1;
        s.axis = 1;
        for (int64_t d = 0; d < x.rank(); ++d) (d < axis ? s.outer : s.axis) *= x.dim(d);
      } else {
        s = SplitAtAxis(x.shape(), axis);
      }
      Tensor* y;
      EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), x.shape()));
      if (x.numel() == 0) return Status::Ok();
      if (x.dtype() == DataType::kFloat && s.inner == 1 && kind != SoftmaxKind::kHardmax) {
        SoftmaxLastAxisF32(kind, s, x.data<float>(), y->data<float>());
        return Status::Ok();
      }
      return DispatchFloat(x.dtype(), name, [&]<typename T>() -> Status {
        SoftmaxAlongAxis<T>(kind, s, x.data<T>(), y->data<T>());
        return Status::Ok();
      });
    });
  });
}

}  // namespace

void RegisterSoftmaxKernels(KernelRegistry& r) {
  RegisterSoftmaxOp(r, "Softmax", SoftmaxKind::kSoftmax);
  RegisterSoftmaxOp(r, "LogSoftmax", SoftmaxKind::kLogSoftmax);
  RegisterSoftmaxOp(r, "Hardmax", SoftmaxKind::kHardmax);
}

}  // namespace edgerun
