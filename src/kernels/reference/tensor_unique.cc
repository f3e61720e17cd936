// Reference kernel for Unique: unique elements (or slices along an axis), sorted or in order of
// first occurrence, with first-occurrence indices, inverse indices and counts.
// Thread-safety: kernels are immutable after creation; Run is const.
#include <cmath>
#include <numeric>
#include <type_traits>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"
#include "kernels/reference/tensor_util.h"

namespace edgerun {
namespace {

// Three-way comparison that orders NaN after every number and equal to itself, so sorting sees
// a strict weak order.
template <typename T>
int CompareValues(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
    return CompareValues<float>(static_cast<float>(a), static_cast<float>(b));
  } else if constexpr (std::is_floating_point_v<T>) {
    const bool na = std::isnan(a), nb = std::isnan(b);
    if (na || nb) return na == nb ? 0 : (na ? 1 : -1);
    return a < b ? -1 : (b < a ? 1 : 0);
  } else {
    return a < b ? -1 : (b < a ? 1 : 0);
  }
}

struct UniqueResult {
  Dims first;    // per unique slice: index of its first occurrence
  Dims inverse;  // per input slice: index of its unique slice
  Dims counts;   // per unique slice: number of occurrences
};

// Slices a in [0, n) of `in` viewed as (outer, n, inner).
template <typename T>
UniqueResult FindUnique(const T* in, int64_t outer, int64_t n, int64_t inner, bool sorted) {
  auto compare = [&](int64_t a, int64_t b) {
    for (int64_t o = 0; o < outer; ++o) {
      const T* pa = in + (o * n + a) * inner;
      const T* pb = in + (o * n + b) * inner;
      for (int64_t i = 0; i < inner; ++i) {
        int c = CompareValues(pa[i], pb[i]);
        if (c != 0) return c;
      }
    }
    return 0;
  };
  Dims order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return compare(a, b) < 0; });
  // Groups of equal slices in sorted order; the first member of each is its first occurrence.
  Dims group_of(static_cast<size_t>(n));
  Dims group_first, group_count;
  for (size_t k = 0; k < order.size(); ++k) {
    if (k == 0 || compare(order[k - 1], order[k]) != 0) {
      group_first.push_back(order[k]);
      group_count.push_back(0);
    }
    group_of[static_cast<size_t>(order[k])] = static_cast<int64_t>(group_first.size() - 1);
    ++group_count.back();
  }
  // Position of each group in the output.
  Dims rank(group_first.size());
  std::iota(rank.begin(), rank.end(), 0);
  if (!sorted) {
    Dims by_first(group_first.size());
    std::iota(by_first.begin(), by_first.end(), 0);
    std::sort(by_first.begin(), by_first.end(),
              [&](int64_t a, int64_t b) { return group_first[static_cast<size_t>(a)] < group_first[static_cast<size_t>(b)]; });
    for (size_t p = 0; p < by_first.size(); ++p) rank[static_cast<size_t>(by_first[p])] = static_cast<int64_t>(p);
  }
  UniqueResult r;
  r.first.resize(group_first.size());
  r.counts.resize(group_first.size());
  for (size_t g = 0; g < group_first.size(); ++g) {
    r.first[static_cast<size_t>(rank[g])] = group_first[g];
    r.counts[static_cast<size_t>(rank[g])] = group_count[g];
  }
  r.inverse.resize(static_cast<size_t>(n));
  for (size_t a = 0; a < r.inverse.size(); ++a) r.inverse[a] = rank[static_cast<size_t>(group_of[a])];
  return r;
}

Status WriteInt64Output(KernelContext& ctx, size_t i, const Dims& v) {
  if (!ctx.output_wanted(i)) return Status::Ok();
  EDGERUN_ASSIGN_OR_RETURN(Tensor * out, ctx.AllocateOutput(i, DataType::kInt64, {static_cast<int64_t>(v.size())}));
  std::copy(v.begin(), v.end(), out->data<int64_t>());
  return Status::Ok();
}

Result<std::unique_ptr<Kernel>> MakeUnique(const KernelCreateContext& cc) {
  const bool sorted = cc.node.GetInt("sorted", 1) != 0;
  const bool has_axis = cc.node.HasAttribute("axis");
  const int64_t axis_attr = cc.node.GetInt("axis", 0);
  return MakeFnKernel([=](KernelContext& ctx) -> Status {
    const Tensor& x = ctx.input(0);
    int64_t outer = 1, n = x.numel(), inner = 1;
    size_t ax = 0;
    if (has_axis) {
      if (x.rank() == 0) return InvalidArgument("axis is given but the input is a scalar");
      EDGERUN_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis_attr, x.rank()));
      ax = static_cast<size_t>(a);
      outer = DimProduct(x.shape(), 0, ax);
      n = x.shape()[ax];
      inner = DimProduct(x.shape(), ax + 1, x.shape().size());
    }
    UniqueResult u;
    EDGERUN_RETURN_IF_ERROR(DispatchAll(x.dtype(), "Unique", [&]<typename T>() -> Status {
      u = FindUnique(x.data<T>(), outer, n, inner, sorted);
      const int64_t count = static_cast<int64_t>(u.first.size());
      Shape y_shape = {count};
      if (has_axis) {
        y_shape = x.shape();
        y_shape[ax] = count;
      }
      EDGERUN_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x.dtype(), y_shape));
      const T* in = x.data<T>();
      T* o = y->data<T>();
      for (int64_t a = 0; a < outer; ++a) {
        for (int64_t f : u.first) {
          const T* from = in + (a * n + f) * inner;
          o = std::copy(from, from + inner, o);
        }
      }
      return Status::Ok();
    }));
    EDGERUN_RETURN_IF_ERROR(WriteInt64Output(ctx, 1, u.first));
    EDGERUN_RETURN_IF_ERROR(WriteInt64Output(ctx, 2, u.inverse));
    return WriteInt64Output(ctx, 3, u.counts);
  });
}

}  // namespace

void RegisterTensorUniqueKernels(KernelRegistry& r) { r.Register("Unique", MakeUnique); }

}  // namespace edgerun
