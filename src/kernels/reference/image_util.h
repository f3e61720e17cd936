// Small helpers shared by the image family of reference kernels: numeric conversions through
// double and reading small float/int parameter tensors.
// Thread-safety: stateless functions.
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "edgerun/status.h"
#include "edgerun/tensor.h"
#include "kernels/reference/dispatch.h"

namespace edgerun {

template <typename T>
inline double ImageToDouble(T v) {
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
    return static_cast<double>(static_cast<float>(v));
  } else if constexpr (std::is_same_v<T, bool>) {
    return v ? 1.0 : 0.0;
  } else {
    return static_cast<double>(v);
  }
}

// Converts back to T: floating types round to nearest; integers truncate toward zero and
// saturate at the type's range (NaN becomes 0).
template <typename T>
inline T ImageFromDouble(double v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != 0.0;
  } else if constexpr (std::is_integral_v<T>) {
    if (std::isnan(v)) return T{0};
    constexpr double kMax = static_cast<double>(std::numeric_limits<T>::max());
    constexpr double kMin = static_cast<double>(std::numeric_limits<T>::lowest());
    if (v >= kMax) return std::numeric_limits<T>::max();
    if (v <= kMin) return std::numeric_limits<T>::lowest();
    return static_cast<T>(v);
  } else if constexpr (std::is_same_v<T, double>) {
    return v;
  } else {
    return T(static_cast<float>(v));
  }
}

// Reads every element of a floating-point tensor (float, double, float16, bfloat16) as double
// into *out (resized; its capacity is reused).
inline Status ReadFloatsAsDoubleInto(const Tensor& t, const char* what, std::vector<double>* out) {
  out->resize(static_cast<size_t>(t.numel()));
  return DispatchFloat(t.dtype(), what, [&]<typename T>() -> Status {
    const T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) (*out)[static_cast<size_t>(i)] = ImageToDouble(p[i]);
    return Status::Ok();
  });
}

inline Result<std::vector<double>> ReadFloatsAsDouble(const Tensor& t, const char* what) {
  std::vector<double> out;
  EDGERUN_RETURN_IF_ERROR(ReadFloatsAsDoubleInto(t, what, &out));
  return out;
}

}  // namespace edgerun
