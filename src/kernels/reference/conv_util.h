// Small helpers shared by the nn family (Conv*, pools, normalizations): the accumulation type
// for each element type, and conversions between typed tensors and compute buffers.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include "edgerun/status.h"
#include "edgerun/tensor.h"
#include "kernels/reference/dispatch.h"

namespace edgerun {

// Type in which a kernel computes for element type T: double for double, float for the other
// floating types; integers keep their own type (used for max pooling only).
template <typename T>
using NnComputeType =
    std::conditional_t<std::is_same_v<T, double>, double,
                       std::conditional_t<std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>, float, T>>;

// Returns `t`'s data as Acc values: a pointer into the tensor when no conversion is needed,
// otherwise into `storage`, which receives the converted copy.
template <typename T, typename Acc>
const Acc* AsCompute(const Tensor& t, std::vector<Acc>& storage) {
  if constexpr (std::is_same_v<T, Acc>) {
    return t.data<Acc>();
  } else {
    storage.resize(static_cast<size_t>(t.numel()));
    const T* src = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) storage[static_cast<size_t>(i)] = static_cast<Acc>(static_cast<float>(src[i]));
    return storage.data();
  }
}

// Where a kernel writes its Acc results for output `y`: the tensor itself when no conversion is
// needed, otherwise zero-filled `storage` (copy back with StoreFromCompute).
template <typename T, typename Acc>
Acc* OutputAsCompute(Tensor* y, std::vector<Acc>& storage) {
  if constexpr (std::is_same_v<T, Acc>) {
    return y->data<Acc>();
  } else {
    storage.assign(static_cast<size_t>(y->numel()), Acc(0));
    return storage.data();
  }
}

// Converts `n` compute values into T.
template <typename T, typename Acc>
void StoreFromCompute(const Acc* src, int64_t n, T* dst) {
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<T, Acc>) {
      dst[i] = src[i];
    } else {
      dst[i] = T(static_cast<float>(src[i]));
    }
  }
}

// Reads any floating-point tensor as doubles; Unsupported for other dtypes.
inline Result<std::vector<double>> ReadFloatsAsDouble(const Tensor& t, const char* what) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  Status st = DispatchFloat(t.dtype(), what, [&]<typename T>() -> Status {
    const T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) v[static_cast<size_t>(i)] = static_cast<double>(static_cast<NnComputeType<T>>(p[i]));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return v;
}

// Writes doubles into a floating-point tensor of any floating dtype.
inline Status WriteDoublesAsFloat(const std::vector<double>& v, Tensor* t) {
  return DispatchFloat(t->dtype(), "output", [&]<typename T>() -> Status {
    T* p = t->data<T>();
    for (int64_t i = 0; i < t->numel(); ++i) {
      if constexpr (std::is_same_v<T, double>) {
        p[i] = v[static_cast<size_t>(i)];
      } else {
        p[i] = T(static_cast<float>(v[static_cast<size_t>(i)]));
      }
    }
    return Status::Ok();
  });
}

}  // namespace edgerun
