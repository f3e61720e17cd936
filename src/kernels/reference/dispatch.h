// Dtype dispatch for templated kernels: calls fn.template operator()<T>() for the C++ type
// matching a DataType, or returns Unsupported naming the dtype.
//
//   return DispatchFloat(t.dtype(), "Relu", [&]<typename T>() { ...; return Status::Ok(); });
#pragma once

#include <cstdint>
#include <string>

#include "edgerun/status.h"
#include "edgerun/tensor.h"

namespace edgerun {

template <typename T>
struct DataTypeOf;
template <> struct DataTypeOf<float> { static constexpr DataType value = DataType::kFloat; };
template <> struct DataTypeOf<double> { static constexpr DataType value = DataType::kDouble; };
template <> struct DataTypeOf<Half> { static constexpr DataType value = DataType::kFloat16; };
template <> struct DataTypeOf<BFloat16> { static constexpr DataType value = DataType::kBFloat16; };
template <> struct DataTypeOf<int8_t> { static constexpr DataType value = DataType::kInt8; };
template <> struct DataTypeOf<int16_t> { static constexpr DataType value = DataType::kInt16; };
template <> struct DataTypeOf<int32_t> { static constexpr DataType value = DataType::kInt32; };
template <> struct DataTypeOf<int64_t> { static constexpr DataType value = DataType::kInt64; };
template <> struct DataTypeOf<uint8_t> { static constexpr DataType value = DataType::kUint8; };
template <> struct DataTypeOf<uint16_t> { static constexpr DataType value = DataType::kUint16; };
template <> struct DataTypeOf<uint32_t> { static constexpr DataType value = DataType::kUint32; };
template <> struct DataTypeOf<uint64_t> { static constexpr DataType value = DataType::kUint64; };
template <> struct DataTypeOf<bool> { static constexpr DataType value = DataType::kBool; };
template <> struct DataTypeOf<std::string> { static constexpr DataType value = DataType::kString; };

inline Status UnsupportedDType(const char* what, DataType dt) {
  return Unsupported(std::string(what) + " does not support dtype " + DataTypeName(dt));
}

// Floating types: float, double, float16, bfloat16.
template <typename Fn>
Status DispatchFloat(DataType dt, const char* what, Fn&& fn) {
  switch (dt) {
    case DataType::kFloat: return fn.template operator()<float>();
    case DataType::kDouble: return fn.template operator()<double>();
    case DataType::kFloat16: return fn.template operator()<Half>();
    case DataType::kBFloat16: return fn.template operator()<BFloat16>();
    default: return UnsupportedDType(what, dt);
  }
}

// Integer types (signed and unsigned, not bool).
template <typename Fn>
Status DispatchInt(DataType dt, const char* what, Fn&& fn) {
  switch (dt) {
    case DataType::kInt8: return fn.template operator()<int8_t>();
    case DataType::kInt16: return fn.template operator()<int16_t>();
    case DataType::kInt32: return fn.template operator()<int32_t>();
    case DataType::kInt64: return fn.template operator()<int64_t>();
    case DataType::kUint8: return fn.template operator()<uint8_t>();
    case DataType::kUint16: return fn.template operator()<uint16_t>();
    case DataType::kUint32: return fn.template operator()<uint32_t>();
    case DataType::kUint64: return fn.template operator()<uint64_t>();
    default: return UnsupportedDType(what, dt);
  }
}

// All numeric types (floating and integer, not bool or string).
template <typename Fn>
Status DispatchNumeric(DataType dt, const char* what, Fn&& fn) {
  switch (dt) {
    case DataType::kFloat:
    case DataType::kDouble:
    case DataType::kFloat16:
    case DataType::kBFloat16: return DispatchFloat(dt, what, fn);
    default: return DispatchInt(dt, what, fn);
  }
}

// Every type including bool (stored as bool, 1 byte) and string.
template <typename Fn>
Status DispatchAll(DataType dt, const char* what, Fn&& fn) {
  switch (dt) {
    case DataType::kBool: return fn.template operator()<bool>();
    case DataType::kString: return fn.template operator()<std::string>();
    default: return DispatchNumeric(dt, what, fn);
  }
}

// Copies of any fixed-size element: dispatch on element size only (1, 2, 4, 8 bytes) or string.
// Use for data-movement ops (Transpose, Gather, Concat...).
template <typename Fn>
Status DispatchBySize(DataType dt, const char* what, Fn&& fn) {
  if (dt == DataType::kString) return fn.template operator()<std::string>();
  switch (DataTypeSize(dt)) {
    case 1: return fn.template operator()<uint8_t>();
    case 2: return fn.template operator()<uint16_t>();
    case 4: return fn.template operator()<uint32_t>();
    case 8: return fn.template operator()<uint64_t>();
    default: return UnsupportedDType(what, dt);
  }
}

}  // namespace edgerun
