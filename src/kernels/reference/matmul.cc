// MatMul reference kernel: numpy matmul semantics (batched, broadcast batch dims, 1-D operands
// promoted and their unit dims dropped from the result).
#include <vector>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/math_check.h"
#include "kernels/reference/gemm_ref.h"
#include "kernels/reference/math_kernels.h"

namespace edgerun {
namespace {

struct MatMulPlan {
  int64_t m = 0, n = 0, k = 0;
  Shape batch;         // broadcast batch shape
  Shape a_batch;       // A's batch dims
  Shape b_batch;       // B's batch dims
  Shape out_shape;     // final output shape (with 1-D unit dims dropped)
};

Result<MatMulPlan> PlanMatMul(const Shape& as, const Shape& bs) {
  if (as.empty() || bs.empty()) return InvalidArgument("MatMul operands must have rank >= 1");
  MatMulPlan p;
  Shape a = as, b = bs;
  const bool a_vec = a.size() == 1, b_vec = b.size() == 1;
  if (a_vec) a.insert(a.begin(), 1);
  if (b_vec) b.push_back(1);
  p.m = a[a.size() - 2];
  p.k = a[a.size() - 1];
  p.n = b[b.size() - 1];
  if (b[b.size() - 2] != p.k) {
    return InvalidArgument("MatMul inner dimensions differ: " + ShapeToString(as) + " x " + ShapeToString(bs));
  }
  p.a_batch.assign(a.begin(), a.end() - 2);
  p.b_batch.assign(b.begin(), b.end() - 2);
  EDGERUN_ASSIGN_OR_RETURN(p.batch, BroadcastShapes({p.a_batch, p.b_batch}));
  p.out_shape = p.batch;
  if (!a_vec) p.out_shape.push_back(p.m);
  if (!b_vec) p.out_shape.push_back(p.n);
  return p;
}

template <typename T>
void RunMatMul(const MatMulPlan& p, const T* a, const T* b, T* y) {
  const int64_t batches = ShapeSize(p.batch);
  const int64_t mk = p.m * p.k, kn = p.k * p.n, mn = p.m * p.n;
  BroadcastWalker w(p.batch, {&p.a_batch, &p.b_batch});
  if constexpr (std::is_same_v<T, float>) {
    for (int64_t i = 0; i < batches; ++i, w.Next()) {
      GemmF32(false, false, p.m, p.n, p.k, 1.0f, a + w.offset(0) * mk, p.k, b + w.offset(1) * kn, p.n, 0.0f,
              y + i * mn, p.n);
    }
  } else if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
    const int64_t na = ShapeSize(p.a_batch) * mk, nb = ShapeSize(p.b_batch) * kn;
    std::vector<float> af(a, a + na), bf(b, b + nb), yf(static_cast<size_t>(mn));
    for (int64_t i = 0; i < batches; ++i, w.Next()) {
      GemmF32(false, false, p.m, p.n, p.k, 1.0f, af.data() + w.offset(0) * mk, p.k, bf.data() + w.offset(1) * kn,
              p.n, 0.0f, yf.data(), p.n);
      for (int64_t j = 0; j < mn; ++j) y[i * mn + j] = T(yf[j]);
    }
  } else {
    using Acc = GemmAccOf<T>;
    std::vector<Acc> acc(static_cast<size_t>(mn));
    for (int64_t i = 0; i < batches; ++i, w.Next()) {
      std::fill(acc.begin(), acc.end(), Acc{});
      GemmAccumulate<Acc>(false, false, p.m, p.n, p.k, a + w.offset(0) * mk, p.k, b + w.offset(1) * kn, p.n,
                          acc.data(), p.n);
      for (int64_t j = 0; j < mn; ++j) y[i * mn + j] = static_cast<T>(acc[j]);
    }
  }
}

Status MatMulRun(KernelContext& ctx) {
  EDGERUN_RETURN_IF_ERROR(CheckTensorInputs(ctx, 2, "MatMul"));
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  if (a.dtype() != b.dtype()) {
    return InvalidArgument(std::string("MatMul operands differ in dtype: ") + DataTypeName(a.dtype()) + " and " +
                           DataTypeName(b.dtype()));
  }
  MatMulPlan p;
  EDGERUN_ASSIGN_OR_RETURN(p, PlanMatMul(a.shape(), b.shape()));
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, a.dtype(), p.out_shape));
  if (y->numel() == 0) return Status::Ok();
  return DispatchNumeric(a.dtype(), "MatMul", [&]<typename T>() -> Status {
    RunMatMul<T>(p, a.data<T>(), b.data<T>(), y->data<T>());
    return Status::Ok();
  });
}

}  // namespace

void RegisterMatMulKernels(KernelRegistry& r) {
  r.Register("MatMul", [](const KernelCreateContext&) { return MakeFnKernel(MatMulRun); });
}

}  // namespace edgerun
