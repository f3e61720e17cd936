// Reduce* reference kernels: ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1,
// ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceSumSquare.
//
// axes come from the attribute before ReduceSum-13 / Reduce*-18 and from the optional second
// input after. Empty axes reduce everything unless noop_with_empty_axes is set, in which case
// each element is reduced on its own (Sum gives x, SumSquare x*x, L2 |x|, ...). Reducing an
// empty set gives the identity of the operation (0 for sums, 1 for Prod, -inf/lowest for Max,
// +inf/max for Min, -inf for LogSum and LogSumExp, NaN for Mean of floats).
// Floating inputs accumulate in double; integer sums and products wrap like the narrow type.
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/math_check.h"
#include "kernels/reference/math_kernels.h"
#include "kernels/reference/reduce_walk.h"
#include "kernels/reference/scratch.h"

namespace edgerun {
namespace {

enum class ReduceOp { kSum, kMean, kMax, kMin, kProd, kL1, kL2, kLogSum, kLogSumExp, kSumSquare };

struct ReduceAttrs {
  ReduceOp op = ReduceOp::kSum;
  const char* name = "";
  bool keepdims = true;
  bool noop_with_empty_axes = false;
  bool axes_from_input = false;
  Dims axes;  // attribute form
};

template <typename T>
constexpr bool kIsFloat = std::is_floating_point_v<T> || std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

template <typename T>
T SaturateFromDouble(double v) {
  if constexpr (kIsFloat<T>) {
    return static_cast<T>(v);
  } else {
    if (std::isnan(v)) return T{0};
    if (v <= static_cast<double>(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
    if (v >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  }
}

// Floating types: everything in double.
template <typename T>
void ReduceFloat(ReduceOp op, const ReducePlan& p, const T* in, int64_t count, T* out, int64_t out_n) {
  double* acc = ThreadScratch<double, 0>(static_cast<size_t>(out_n));
  std::fill(acc, acc + out_n, 0.0);
  auto xd = [&](int64_t i) -> double {
    if constexpr (std::is_same_v<T, double>) {
      return in[i];
    } else {
      return static_cast<double>(static_cast<float>(in[i]));
    }
  };
  const double inf = std::numeric_limits<double>::infinity();
  switch (op) {
    case ReduceOp::kMax:
      std::fill(acc, acc + out_n, -inf);
      WalkReduction(p, [&](int64_t i, int64_t o) { double v = xd(i); if (v > acc[o] || std::isnan(v)) acc[o] = v; });
      break;
    case ReduceOp::kMin:
      std::fill(acc, acc + out_n, inf);
      WalkReduction(p, [&](int64_t i, int64_t o) { double v = xd(i); if (v < acc[o] || std::isnan(v)) acc[o] = v; });
      break;
    case ReduceOp::kProd:
      std::fill(acc, acc + out_n, 1.0);
      WalkReduction(p, [&](int64_t i, int64_t o) { acc[o] *= xd(i); });
      break;
    case ReduceOp::kL1:
      WalkReduction(p, [&](int64_t i, int64_t o) { acc[o] += std::fabs(xd(i)); });
      break;
    case ReduceOp::kL2:
    case ReduceOp::kSumSquare:
      WalkReduction(p, [&](int64_t i, int64_t o) { double v = xd(i); acc[o] += v * v; });
      break;
    case ReduceOp::kLogSumExp: {
      double* mx = ThreadScratch<double, 1>(static_cast<size_t>(out_n));
      std::fill(mx, mx + out_n, -inf);
      WalkReduction(p, [&](int64_t i, int64_t o) { double v = xd(i); if (v > mx[o] || std::isnan(v)) mx[o] = v; });
      WalkReduction(p, [&](int64_t i, int64_t o) {
        acc[o] += std::isfinite(mx[o]) ? std::exp(xd(i) - mx[o]) : std::exp(xd(i));
      });
      for (int64_t o = 0; o < out_n; ++o) acc[o] = std::log(acc[o]) + (std::isfinite(mx[o]) ? mx[o] : 0.0);
      break;
    }
    default:  // kSum, kMean, kLogSum
      WalkReduction(p, [&](int64_t i, int64_t o) { acc[o] += xd(i); });
      break;
  }
  for (int64_t o = 0; o < out_n; ++o) {
    double v = acc[o];
    if (op == ReduceOp::kMean) v /= static_cast<double>(count);
    if (op == ReduceOp::kL2) v = std::sqrt(v);
    if (op == ReduceOp::kLogSum) v = std::log(v);
    out[o] = static_cast<T>(v);
  }
}

// Integer types: Sum/Prod/L1/SumSquare/Mean wrap in 64-bit modular arithmetic; Max/Min are
// exact; L2/LogSum/LogSumExp go through double and saturate.
template <typename T>
void ReduceInt(ReduceOp op, const ReducePlan& p, const T* in, int64_t count, T* out, int64_t out_n) {
  using Wide = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
  if (op == ReduceOp::kMax || op == ReduceOp::kMin) {
    const bool is_max = op == ReduceOp::kMax;
    std::fill(out, out + out_n, is_max ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max());
    if (is_max) {
      WalkReduction(p, [&](int64_t i, int64_t o) { if (in[i] > out[o]) out[o] = in[i]; });
    } else {
      WalkReduction(p, [&](int64_t i, int64_t o) { if (in[i] < out[o]) out[o] = in[i]; });
    }
    return;
  }
  if (op == ReduceOp::kL2 || op == ReduceOp::kLogSum || op == ReduceOp::kLogSumExp) {
    double* acc = ThreadScratch<double, 0>(static_cast<size_t>(out_n));
    std::fill(acc, acc + out_n, 0.0);
    if (op == ReduceOp::kL2) {
      WalkReduction(p, [&](int64_t i, int64_t o) { double v = static_cast<double>(in[i]); acc[o] += v * v; });
      for (int64_t o = 0; o < out_n; ++o) out[o] = SaturateFromDouble<T>(std::sqrt(acc[o]));
    } else if (op == ReduceOp::kLogSum) {
      WalkReduction(p, [&](int64_t i, int64_t o) { acc[o] += static_cast<double>(in[i]); });
      for (int64_t o = 0; o < out_n; ++o) out[o] = SaturateFromDouble<T>(std::log(acc[o]));
    } else {
      const double inf = std::numeric_limits<double>::infinity();
      double* mx = ThreadScratch<double, 1>(static_cast<size_t>(out_n));
      std::fill(mx, mx + out_n, -inf);
      WalkReduction(p, [&](int64_t i, int64_t o) { mx[o] = std::max(mx[o], static_cast<double>(in[i])); });
      WalkReduction(p, [&](int64_t i, int64_t o) { acc[o] += std::exp(static_cast<double>(in[i]) - mx[o]); });
      for (int64_t o = 0; o < out_n; ++o) out[o] = SaturateFromDouble<T>(std::log(acc[o]) + mx[o]);
    }
    return;
  }
  uint64_t* acc = ThreadScratch<uint64_t, 0>(static_cast<size_t>(out_n));
  std::fill(acc, acc + out_n, op == ReduceOp::kProd ? 1 : 0);
  auto u = [&](int64_t i) { return static_cast<uint64_t>(static_cast<Wide>(in[i])); };
  switch (op) {
    case ReduceOp::kProd: WalkReduction(p, [&](int64_t i, int64_t o) { acc[o] *= u(i); }); break;
    case ReduceOp::kL1:
      WalkReduction(p, [&](int64_t i, int64_t o) { acc[o] += in[i] < T{0} ? uint64_t{0} - u(i) : u(i); });
      break;
    case ReduceOp::kSumSquare: WalkReduction(p, [&](int64_t i, int64_t o) { acc[o] += u(i) * u(i); }); break;
    default: WalkReduction(p, [&](int64_t i, int64_t o) { acc[o] += u(i); }); break;
  }
  for (int64_t o = 0; o < out_n; ++o) {
    if (op == ReduceOp::kMean) {
      // Integer mean truncates toward zero; an empty set gives 0.
      const Wide sum = static_cast<Wide>(acc[o]);
      out[o] = count == 0 ? T{0} : static_cast<T>(sum / static_cast<Wide>(count));
    } else {
      out[o] = static_cast<T>(acc[o]);
    }
  }
}

// Bool (ReduceMax/ReduceMin from opset 20): any / all.
void ReduceBool(bool is_max, const ReducePlan& p, const bool* in, bool* out, int64_t out_n) {
  std::fill(out, out + out_n, !is_max);
  if (is_max) {
    WalkReduction(p, [&](int64_t i, int64_t o) { out[o] = out[o] || in[i]; });
  } else {
    WalkReduction(p, [&](int64_t i, int64_t o) { out[o] = out[o] && in[i]; });
  }
}

Status ReduceRun(const ReduceAttrs& at, KernelContext& ctx) {
  EDGERUN_RETURN_IF_ERROR(CheckTensorInputs(ctx, 1, at.name));
  const Tensor& x = ctx.input(0);
  Dims axes = at.axes;
  if (at.axes_from_input && ctx.has_input(1)) {
    EDGERUN_ASSIGN_OR_RETURN(axes, ReadInt64s(ctx.input(1), "axes"));
  }
  const int64_t rank = x.rank();
  Dims reduced(static_cast<size_t>(rank), 0);  // per axis: 1 when reduced
  if (axes.empty()) {
    if (!at.noop_with_empty_axes) std::fill(reduced.begin(), reduced.end(), 1);
  } else {
    for (int64_t a : axes) {
      int64_t na;
      EDGERUN_ASSIGN_OR_RETURN(na, NormalizeAxis(a, rank, "axes"));
      if (rank == 0) continue;
      reduced[static_cast<size_t>(na)] = 1;
    }
  }
  Shape out_shape;
  int64_t count = 1;
  for (int64_t d = 0; d < rank; ++d) {
    if (reduced[d]) {
      count *= x.dim(d);
      if (at.keepdims) out_shape.push_back(1);
    } else {
      out_shape.push_back(x.dim(d));
    }
  }
  const ReducePlan plan = MakeReducePlan(x.shape(), reduced);
  Tensor* y;
  EDGERUN_ASSIGN_OR_RETURN(y, ctx.AllocateOutput(0, x.dtype(), out_shape));
  const int64_t out_n = y->numel();
  if (x.dtype() == DataType::kBool) {
    if (at.op != ReduceOp::kMax && at.op != ReduceOp::kMin) return UnsupportedDType(at.name, x.dtype());
    ReduceBool(at.op == ReduceOp::kMax, plan, x.data<bool>(), y->data<bool>(), out_n);
    return Status::Ok();
  }
  return DispatchNumeric(x.dtype(), at.name, [&]<typename T>() -> Status {
    if constexpr (kIsFloat<T>) {
      ReduceFloat<T>(at.op, plan, x.data<T>(), count, y->data<T>(), out_n);
    } else {
      ReduceInt<T>(at.op, plan, x.data<T>(), count, y->data<T>(), out_n);
    }
    return Status::Ok();
  });
}

void RegisterReduce(KernelRegistry& r, const char* name, ReduceOp op, int axes_input_since) {
  r.Register(name, [name, op, axes_input_since](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    ReduceAttrs at;
    at.op = op;
    at.name = name;
    at.keepdims = kc.node.GetInt("keepdims", 1) != 0;
    at.noop_with_empty_axes = kc.node.GetInt("noop_with_empty_axes", 0) != 0;
    at.axes_from_input = kc.opset >= axes_input_since;
    at.axes = kc.node.GetInts("axes");
    return MakeFnKernel([at](KernelContext& ctx) { return ReduceRun(at, ctx); });
  });
}

}  // namespace

void RegisterReduceKernels(KernelRegistry& r) {
  RegisterReduce(r, "ReduceSum", ReduceOp::kSum, 13);
  RegisterReduce(r, "ReduceMean", ReduceOp::kMean, 18);
  RegisterReduce(r, "ReduceMax", ReduceOp::kMax, 18);
  RegisterReduce(r, "ReduceMin", ReduceOp::kMin, 18);
  RegisterReduce(r, "ReduceProd", ReduceOp::kProd, 18);
  RegisterReduce(r, "ReduceL1", ReduceOp::kL1, 18);
  RegisterReduce(r, "ReduceL2", ReduceOp::kL2, 18);
  RegisterReduce(r, "ReduceLogSum", ReduceOp::kLogSum, 18);
  RegisterReduce(r, "ReduceLogSumExp", ReduceOp::kLogSumExp, 18);
  RegisterReduce(r, "ReduceSumSquare", ReduceOp::kSumSquare, 18);
}

}  // namespace edgerun
