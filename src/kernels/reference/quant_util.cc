// Helpers shared by the quantization reference kernels.
#include "kernels/reference/quant_util.h"

#include <string>

#include "kernels/reference/broadcast.h"
#include "kernels/reference/dispatch.h"

namespace edgerun {

bool IsQuantIntType(DataType dt) {
  switch (dt) {
    case DataType::kInt8:
    case DataType::kUint8:
    case DataType::kInt16:
    case DataType::kUint16:
    case DataType::kInt32: return true;
    default: return false;
  }
}

Result<std::vector<float>> ReadAsFloats(const Tensor& t, const char* what) {
  std::vector<float> v(static_cast<size_t>(t.numel()));
  Status st = DispatchNumeric(t.dtype(), what, [&]<typename T>() -> Status {
    const T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) v[i] = static_cast<float>(p[i]);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return v;
}

Result<std::vector<int32_t>> ReadAsInt32s(const Tensor& t, const char* what) {
  std::vector<int32_t> v(static_cast<size_t>(t.numel()));
  auto read = [&]<typename T>() -> Status {
    const T* p = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) v[i] = static_cast<int32_t>(p[i]);
    return Status::Ok();
  };
  switch (t.dtype()) {
    case DataType::kInt8: EDGERUN_RETURN_IF_ERROR(read.template operator()<int8_t>()); break;
    case DataType::kUint8: EDGERUN_RETURN_IF_ERROR(read.template operator()<uint8_t>()); break;
    case DataType::kInt16: EDGERUN_RETURN_IF_ERROR(read.template operator()<int16_t>()); break;
    case DataType::kUint16: EDGERUN_RETURN_IF_ERROR(read.template operator()<uint16_t>()); break;
    case DataType::kInt32: EDGERUN_RETURN_IF_ERROR(read.template operator()<int32_t>()); break;
    default:
      return InvalidArgument(std::string(what) + " must be an 8, 16 or 32-bit integer tensor, got " +
                             DataTypeName(t.dtype()));
  }
  return v;
}

Result<QuantLayout> MakeQuantLayout(const Shape& x, const Shape& scale, const Shape* zero_point_shape,
                                    int64_t axis, int64_t block_size, int opset, const std::string& what) {
  if (zero_point_shape != nullptr && *zero_point_shape != scale) {
    return InvalidArgument(what + ": zero point shape " + ShapeToString(*zero_point_shape) +
                           " differs from scale shape " + ShapeToString(scale));
  }
  if (block_size < 0) return InvalidArgument(what + ": block_size must be >= 0");
  QuantLayout l;
  if (block_size == 0 && ShapeSize(scale) == 1 && scale.size() <= 1) {
    l.inner = ShapeSize(x);
    return l;
  }
  if (block_size == 0 && (scale.size() != 1 || opset < 13)) {
    return InvalidArgument(what + ": scale of shape " + ShapeToString(scale) +
                           " must be a scalar" + (opset >= 13 ? " or a 1-D per-axis tensor" : ""));
  }
  int64_t rank = static_cast<int64_t>(x.size());
  auto a = NormalizeAxis(axis, rank, "axis");
  if (!a.ok() || rank == 0) return InvalidArgument(what + ": axis " + std::to_string(axis) +
                                                   " is out of range for input of shape " + ShapeToString(x));
  int64_t ax = a.value();
  for (int64_t k = 0; k < ax; ++k) l.outer *= x[k];
  l.axis_dim = x[ax];
  for (int64_t k = ax + 1; k < rank; ++k) l.inner *= x[k];
  if (block_size == 0) {
    if (scale[0] != l.axis_dim) {
      return InvalidArgument(what + ": per-axis scale has " + std::to_string(scale[0]) + " elements, input has " +
                             std::to_string(l.axis_dim) + " along axis " + std::to_string(ax));
    }
    l.kind = QuantLayout::Kind::kPerAxis;
    return l;
  }
  l.kind = QuantLayout::Kind::kBlocked;
  l.block_size = block_size;
  l.num_blocks = (l.axis_dim + block_size - 1) / block_size;
  bool ok = static_cast<int64_t>(scale.size()) == rank;
  for (int64_t k = 0; ok && k < rank; ++k) ok = scale[k] == (k == ax ? l.num_blocks : x[k]);
  if (!ok) {
    return InvalidArgument(what + ": blocked scale shape " + ShapeToString(scale) + " does not match input shape " +
                           ShapeToString(x) + " with block_size " + std::to_string(block_size) + " on axis " +
                           std::to_string(ax));
  }
  return l;
}

}  // namespace edgerun
