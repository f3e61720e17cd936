// TopK reference kernel: the k largest (or smallest) elements along `axis` (default -1) and their
// int64 indices. k is an attribute before opset 10 and a 1-element int64 input from opset 10.
// Output is always sorted (allowed when sorted=0); equal values keep the lower index first,
// and NaN ranks above every number (as in numpy's sort).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/math_check.h"
#include "kernels/reference/math_kernels.h"
#include "kernels/reference/reduce_walk.h"

namespace edgerun {
namespace {

struct TopKAttrs {
  int64_t axis = -1;
  bool largest = true;
  bool k_from_input = true;
  int64_t k_attr = -1;
};

// Total order on values with NaN above everything; returns true when a ranks before b.
template <typename T>
bool RanksBefore(bool largest, T a, int64_t ia, T b, int64_t ib) {
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
    return RanksBefore<float>(largest, static_cast<float>(a), ia, static_cast<float>(b), ib);
  } else {
    if constexpr (std::is_floating_point_v<T>) {
      const bool na = std::isnan(a), nb = std::isnan(b);
      if (na || nb) {
        if (na && nb) return ia < ib;
        return largest ? na : nb;
      }
    }
    if (a != b) return largest ? a > b : a < b;
    return ia < ib;
  }
}

template <typename T>
void TopKRows(const TopKAttrs& at, const AxisSplit& s, int64_t k, const T* in, T* values, int64_t* indices) {
  Dims order(static_cast<size_t>(s.axis));
  std::vector<T> row(static_cast<size_t>(s.axis));
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      const T* p = in + o * s.axis * s.inner + i;
      for (int64_t a = 0; a < s.axis; ++a) row[a] = p[a * s.inner];
      std::iota(order.begin(), order.end(), int64_t{0});
      std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t x, int64_t y) {
        return RanksBefore<T>(at.largest, row[x], x, row[y], y);
      });
      const int64_t base = o * k * s.inner + i;
      for (int64_t j = 0; j < k; ++j) {
        values[base + j * s.inner] = row[order[j]];
        indices[base + j * s.inner] = order[j];
      }
    }
  }
}

Status TopKRun(const TopKAttrs& at, KernelContext& ctx) {
  EDGERUN_RETURN_IF_ERROR(CheckTensorInputs(ctx, 1, "TopK"));
  const Tensor& x = ctx.input(0);
  int64_t k = at.k_attr;
  if (at.k_from_input) {
    if (!ctx.has_input(1)) return InvalidArgument("TopK needs input K");
    Dims kv;
    EDGERUN_ASSIGN_OR_RETURN(kv, ReadInt64s(ctx.input(1), "TopK input K"));
    if (kv.size() != 1) return InvalidArgument("TopK input K must hold exactly one value, got " + std::to_string(kv.size()));
    k = kv[0];
  }
  if (x.rank() == 0) return InvalidArgument("TopK input must have rank >= 1");
  int64_t axis;
  EDGERUN_ASSIGN_OR_RETURN(axis, NormalizeAxis(at.axis, x.rank()));
  if (k < 0 || k > x.dim(axis)) {
    return InvalidArgument("TopK k=" + std::to_string(k) + " is out of range for axis " + std::to_string(axis) +
                           " of size " + std::to_string(x.dim(axis)));
  }
  Shape out_shape = x.shape();
  out_shape[axis] = k;
  Tensor* values;
  Tensor* indices;
  EDGERUN_ASSIGN_OR_RETURN(values, ctx.AllocateOutput(0, x.dtype(), out_shape));
  EDGERUN_ASSIGN_OR_RETURN(indices, ctx.AllocateOutput(1, DataType::kInt64, out_shape));
  if (values->numel() == 0) return Status::Ok();
  const AxisSplit s = SplitAtAxis(x.shape(), axis);
  return DispatchNumeric(x.dtype(), "TopK", [&]<typename T>() -> Status {
    TopKRows<T>(at, s, k, x.data<T>(), values->data<T>(), indices->data<int64_t>());
    return Status::Ok();
  });
}

}  // namespace

void RegisterTopKKernels(KernelRegistry& r) {
  r.Register("TopK", [](const KernelCreateContext& kc) -> Result<std::unique_ptr<Kernel>> {
    TopKAttrs at;
    at.axis = kc.node.GetInt("axis", -1);
    at.largest = kc.node.GetInt("largest", 1) != 0;
    at.k_from_input = kc.opset >= 10;
    if (!at.k_from_input) {
      at.k_attr = kc.node.GetInt("k", -1);
      if (at.k_attr < 0) return InvalidArgument(kc.node.Describe() + ": attribute k is missing or negative");
    }
    return MakeFnKernel([at](KernelContext& ctx) { return TopKRun(at, ctx); });
  });
}

}  // namespace edgerun
