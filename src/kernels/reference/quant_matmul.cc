// MatMulInteger and QLinearMatMul reference kernels, and the shared integer matmul planning.
//   MatMulInteger: Y(int32) = (A - a_zero_point) x (B - b_zero_point)
//   QLinearMatMul: Y = saturate(rint(acc * a_scale * b_scale / y_scale) + y_zero_point)
#include "kernels/reference/quant_matmul.h"

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/quant_kernels.h"
#include "kernels/reference/quant_util.h"

namespace edgerun {

Result<IntMatMulPlan> PlanIntMatMul(const Shape& a, const Shape& b, const std::string& where) {
  if (a.empty() || b.empty()) return InvalidArgument(where + ": matmul inputs must have rank >= 1");
  Shape as = a.size() == 1 ? Shape{1, a[0]} : a;
  Shape bs = b.size() == 1 ? Shape{b[0], 1} : b;
  IntMatMulPlan p;
  p.m = as[as.size() - 2];
  p.k = as[as.size() - 1];
  p.n = bs[bs.size() - 1];
  if (bs[bs.size() - 2] != p.k) {
    return InvalidArgument(where + ": cannot multiply shapes " + ShapeToString(a) + " and " + ShapeToString(b) +
                           " (inner dimensions differ)");
  }
  Shape abatch(as.begin(), as.end() - 2), bbatch(bs.begin(), bs.end() - 2);
  Shape batch;
  auto bshape = BroadcastShapes({abatch, bbatch});
  if (!bshape.ok()) return bshape.status().WithContext(where);
  batch = bshape.value();
  p.out = batch;
  if (a.size() != 1) p.out.push_back(p.m);
  if (b.size() != 1) p.out.push_back(p.n);
  EDGERUN_RETURN_IF_ERROR_CTX(CheckShapeAllocatable(DataType::kInt32, p.out), where);
  if (ShapeSize(p.out) == 0) return p;  // nothing to compute; batch lists stay empty
  int64_t count = ShapeSize(batch);
  p.a_batch.resize(static_cast<size_t>(count));
  p.b_batch.resize(static_cast<size_t>(count));
  BroadcastWalker w(batch, {&abatch, &bbatch});
  for (int64_t i = 0; i < count; ++i, w.Next()) {
    p.a_batch[i] = w.offset(0);
    p.b_batch[i] = w.offset(1);
  }
  return p;
}

Result<std::pair<int64_t, int64_t>> ResolveMatParam(const Shape& p, const Shape& operand, bool rows,
                                                    const std::string& what) {
  if (ShapeSize(p) == 1) return std::make_pair(int64_t{0}, int64_t{0});
  if (operand.size() >= 2) {
    int64_t m = operand[operand.size() - 2], n = operand[operand.size() - 1];
    int64_t len = rows ? m : n;
    if (p.size() == 1 && p[0] == len) return std::make_pair(int64_t{0}, int64_t{1});
    Shape expect = operand;
    expect[expect.size() - (rows ? 1 : 2)] = 1;
    if (p == expect) return std::make_pair(len, int64_t{1});
  }
  return InvalidArgument(what + " of shape " + ShapeToString(p) + " does not fit operand of shape " +
                         ShapeToString(operand) + (rows ? " (expected a scalar or one value per row)"
                                                        : " (expected a scalar or one value per column)"));
}

namespace {

// Calls fn.template operator()<T>() for int8 or uint8.
template <typename Fn>
Status Dispatch8Bit(DataType dt, const char* what, Fn&& fn) {
  if (dt == DataType::kInt8) return fn.template operator()<int8_t>();
  if (dt == DataType::kUint8) return fn.template operator()<uint8_t>();
  return UnsupportedDType(what, dt);
}

// Reads an optional zero point (input `index`) for `operand`; zero when absent.
Result<MatParam<int32_t>> ReadZeroPoint(KernelContext& ctx, size_t index, const Tensor& operand, bool rows,
                                        const std::string& what) {
  MatParam<int32_t> zp;
  if (!ctx.has_input(index)) {
    zp.values = {0};
    return zp;
  }
  const Tensor& t = ctx.input(index);
  if (t.dtype() != operand.dtype()) {
    return InvalidArgument(what + " dtype " + DataTypeName(t.dtype()) + " differs from its operand's " +
                           DataTypeName(operand.dtype()));
  }
  std::pair<int64_t, int64_t> strides;
  EDGERUN_ASSIGN_OR_RETURN(strides, ResolveMatParam(t.shape(), operand.shape(), rows, what));
  EDGERUN_ASSIGN_OR_RETURN(zp.values, ReadAsInt32s(t, what.c_str()));
  zp.batch_stride = strides.first;
  zp.idx_stride = strides.second;
  return zp;
}

Result<MatParam<float>> ReadScale(const Tensor& t, const Shape& operand, bool rows, const std::string& what) {
  MatParam<float> s;
  std::pair<int64_t, int64_t> strides;
  EDGERUN_ASSIGN_OR_RETURN(strides, ResolveMatParam(t.shape(), operand, rows, what));
  EDGERUN_ASSIGN_OR_RETURN(s.values, ReadAsFloats(t, what.c_str()));
  s.batch_stride = strides.first;
  s.idx_stride = strides.second;
  return s;
}

Status RunMatMulInteger(const std::string& where, KernelContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  IntMatMulPlan plan;
  EDGERUN_ASSIGN_OR_RETURN(plan, PlanIntMatMul(a.shape(), b.shape(), where));
  MatParam<int32_t> azp, bzp;
  EDGERUN_ASSIGN_OR_RETURN(azp, ReadZeroPoint(ctx, 2, a, true, where + ": a_zero_point"));
  EDGERUN_ASSIGN_OR_RETURN(bzp, ReadZeroPoint(ctx, 3, b, false, where + ": b_zero_point"));
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, DataType::kInt32, plan.out));
  int32_t* yp = y->data<int32_t>();
  return Dispatch8Bit(a.dtype(), "MatMulInteger", [&]<typename A>() -> Status {
    return Dispatch8Bit(b.dtype(), "MatMulInteger", [&]<typename B>() -> Status {
      IntMatMul(plan, a.data<A>(), b.data<B>(), azp, bzp,
                [&](int64_t idx, int64_t, int64_t, int64_t, int32_t acc) { yp[idx] = acc; });
      return Status::Ok();
    });
  });
}

Status RunQLinearMatMul(const std::string& where, KernelContext& ctx) {
  for (size_t i = 0; i < 8; ++i) {
    if (!ctx.has_input(i)) return InvalidArgument(where + ": input " + std::to_string(i) + " is required");
  }
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(3);
  const Tensor& yzp_t = ctx.input(7);
  IntMatMulPlan plan;
  EDGERUN_ASSIGN_OR_RETURN(plan, PlanIntMatMul(a.shape(), b.shape(), where));
  MatParam<int32_t> azp, bzp;
  EDGERUN_ASSIGN_OR_RETURN(azp, ReadZeroPoint(ctx, 2, a, true, where + ": a_zero_point"));
  EDGERUN_ASSIGN_OR_RETURN(bzp, ReadZeroPoint(ctx, 5, b, false, where + ": b_zero_point"));
  MatParam<float> as, bs;
  EDGERUN_ASSIGN_OR_RETURN(as, ReadScale(ctx.input(1), a.shape(), true, where + ": a_scale"));
  EDGERUN_ASSIGN_OR_RETURN(bs, ReadScale(ctx.input(4), b.shape(), false, where + ": b_scale"));
  // y_scale and y_zero_point: per-tensor, or one value per output row.
  Shape row_operand = {a.shape().size() == 1 ? 1 : plan.m, 1};
  MatParam<float> ys;
  EDGERUN_ASSIGN_OR_RETURN(ys, ReadScale(ctx.input(6), row_operand, true, where + ": y_scale"));
  MatParam<int32_t> yzp;
  std::pair<int64_t, int64_t> yzp_strides;
  EDGERUN_ASSIGN_OR_RETURN(yzp_strides, ResolveMatParam(yzp_t.shape(), row_operand, true, where + ": y_zero_point"));
  EDGERUN_ASSIGN_OR_RETURN(yzp.values, ReadAsInt32s(yzp_t, "QLinearMatMul y_zero_point"));
  yzp.idx_stride = yzp_strides.second;
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, yzp_t.dtype(), plan.out));
  return Dispatch8Bit(yzp_t.dtype(), "QLinearMatMul output", [&]<typename Y>() -> Status {
    Y* yp = y->data<Y>();
    return Dispatch8Bit(a.dtype(), "QLinearMatMul", [&]<typename A>() -> Status {
      return Dispatch8Bit(b.dtype(), "QLinearMatMul", [&]<typename B>() -> Status {
        IntMatMul(plan, a.data<A>(), b.data<B>(), azp, bzp,
                  [&](int64_t idx, int64_t bi, int64_t i, int64_t j, int32_t acc) {
                    float mult = as.at(plan.a_batch[bi], i) * bs.at(plan.b_batch[bi], j) / ys.at(0, i);
                    double v = static_cast<double>(acc) * static_cast<double>(mult) + yzp.at(0, i);
                    yp[idx] = SaturateTo<Y>(RoundHalfEven(v));
                  });
        return Status::Ok();
      });
    });
  });
}

}  // namespace

Result<std::unique_ptr<Kernel>> CreateMatMulInteger(const KernelCreateContext& c) {
  std::string where = c.node.Describe();
  return MakeFnKernel([where](KernelContext& ctx) { return RunMatMulInteger(where, ctx); });
}

Result<std::unique_ptr<Kernel>> CreateQLinearMatMul(const KernelCreateContext& c) {
  std::string where = c.node.Describe();
  return MakeFnKernel([where](KernelContext& ctx) { return RunQLinearMatMul(where, ctx); });
}

}  // namespace edgerun
