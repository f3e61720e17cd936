// Tensor storage, dtype tables and half-precision conversions.
#include "edgerun/tensor.h"

#include <atomic>
#include <cmath>
#include <new>

namespace edgerun {

namespace {
std::atomic<uint64_t> g_max_tensor_bytes{kDefaultMaxTensorBytes};
}

void SetMaxTensorBytes(uint64_t bytes) { g_max_tensor_bytes = bytes; }
uint64_t MaxTensorBytes() { return g_max_tensor_bytes; }

const char* DataTypeName(DataType dt) {
  switch (dt) {
    case DataType::kUndefined: return "undefined";
    case DataType::kFloat: return "float";
    case DataType::kUint8: return "uint8";
    case DataType::kInt8: return "int8";
    case DataType::kUint16: return "uint16";
    case DataType::kInt16: return "int16";
    case DataType::kInt32: return "int32";
    case DataType::kInt64: return "int64";
    case DataType::kString: return "string";
    case DataType::kBool: return "bool";
    case DataType::kFloat16: return "float16";
    case DataType::kDouble: return "double";
    case DataType::kUint32: return "uint32";
    case DataType::kUint64: return "uint64";
    case DataType::kBFloat16: return "bfloat16";
  }
  return "unknown";
}

size_t DataTypeSize(DataType dt) {
  switch (dt) {
    case DataType::kFloat: return 4;
    case DataType::kUint8: return 1;
    case DataType::kInt8: return 1;
    case DataType::kUint16: return 2;
    case DataType::kInt16: return 2;
    case DataType::kInt32: return 4;
    case DataType::kInt64: return 8;
    case DataType::kString: return sizeof(std::string);
    case DataType::kBool: return 1;
    case DataType::kFloat16: return 2;
    case DataType::kDouble: return 8;
    case DataType::kUint32: return 4;
    case DataType::kUint64: return 8;
    case DataType::kBFloat16: return 2;
    case DataType::kUndefined: return 0;
  }
  return 0;
}

bool IsKnownDataType(int32_t code) {
  return (code >= 1 && code <= 13) || code == 16;
}

float HalfToFloat(uint16_t h) {
  uint32_t sign = (h >> 15) & 1u;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign << 31;
    } else {
      // Subnormal: normalize.
      int e = -1;
      do {
        e++;
        mant <<= 1;
      } while ((mant & 0x400u) == 0);
      mant &= 0x3ffu;
      bits = (sign << 31) | (static_cast<uint32_t>(127 - 15 - e) << 23) | (mant << 13);
    }
  } else if (exp == 0x1f) {
    bits = (sign << 31) | 0x7f800000u | (mant << 13);
  } else {
    bits = (sign << 31) | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) {  // Inf or NaN
    return static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));
  }
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // overflow -> Inf
  if (abs < 0x38800000u) {  // subnormal or zero in half
    if (abs < 0x33000000u) return static_cast<uint16_t>(sign);
    uint32_t e = abs >> 23;
    uint32_t m = (abs & 0x7fffffu) | 0x800000u;
    uint32_t shift = 126 - e;  // in [14, 24]: units of 2^-24
    uint32_t result = m >> shift;
    uint32_t rem = m & ((1u << shift) - 1u);
    uint32_t halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (result & 1u))) result++;
    return static_cast<uint16_t>(sign | result);
  }
  uint32_t e = (abs >> 23) - 127 + 15;
  uint32_t m = abs & 0x7fffffu;
  uint32_t result = (e << 10) | (m >> 13);
  uint32_t rem = m & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (result & 1u))) result++;
  return static_cast<uint16_t>(sign | result);
}

Half::Half(float f) : bits(FloatToHalf(f)) {}
Half::operator float() const { return HalfToFloat(bits); }

BFloat16::BFloat16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u) {
    bits = static_cast<uint16_t>((x >> 16) | 0x40u);  // quiet NaN
  } else {
    uint32_t rounding = 0x7fffu + ((x >> 16) & 1u);
    bits = static_cast<uint16_t>((x + rounding) >> 16);
  }
}
BFloat16::operator float() const {
  uint32_t x = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

int64_t ShapeSize(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string ShapeToString(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

Status CheckShapeAllocatable(DataType dt, const Shape& shape) {
  uint64_t n = 1;
  const uint64_t limit = MaxTensorBytes();
  size_t esize = DataTypeSize(dt);
  if (esize == 0) esize = 1;
  for (int64_t d : shape) {
    if (d < 0) return InvalidArgument("negative dimension in shape " + ShapeToString(shape));
    if (d == 0) return Status::Ok();
    if (n > limit / static_cast<uint64_t>(d)) {
      return OutOfMemory("tensor of shape " + ShapeToString(shape) + " (" + DataTypeName(dt) +
                         ") exceeds the " + std::to_string(limit) + "-byte tensor limit");
    }
    n *= static_cast<uint64_t>(d);
  }
  if (n > limit / esize) {
    return OutOfMemory("tensor of shape " + ShapeToString(shape) + " (" + DataTypeName(dt) +
                       ") exceeds the " + std::to_string(limit) + "-byte tensor limit");
  }
  return Status::Ok();
}

Result<Tensor> Tensor::Create(DataType dt, Shape shape) { return Allocate(dt, std::move(shape), true); }

Result<Tensor> Tensor::CreateForOverwrite(DataType dt, Shape shape) { return Allocate(dt, std::move(shape), false); }

Result<Tensor> Tensor::Allocate(DataType dt, Shape shape, bool zero) {
  if (dt == DataType::kUndefined) return InvalidArgument("cannot create a tensor of undefined type");
  EDGERUN_RETURN_IF_ERROR(CheckShapeAllocatable(dt, shape));
  Tensor t;
  t.dtype_ = dt;
  t.numel_ = ShapeSize(shape);
  t.shape_ = std::move(shape);
  size_t n = static_cast<size_t>(t.numel_);
  if (dt == DataType::kString) {
    auto* arr = new (std::nothrow) std::string[n > 0 ? n : 1];
    if (!arr) return OutOfMemory("allocating " + std::to_string(n) + " strings");
    t.storage_ = std::shared_ptr<void>(arr, [](void* p) { delete[] static_cast<std::string*>(p); });
  } else {
    size_t bytes = n * DataTypeSize(dt);
    // 64-byte alignment for SIMD kernels.
    void* p = ::operator new(bytes > 0 ? bytes : 1, std::align_val_t(64), std::nothrow);
    if (!p) return OutOfMemory("allocating " + std::to_string(bytes) + " bytes");
    if (zero) std::memset(p, 0, bytes);
    t.storage_ = std::shared_ptr<void>(p, [](void* q) { ::operator delete(q, std::align_val_t(64)); });
  }
  t.data_ = t.storage_.get();
  return t;
}

Tensor Tensor::Wrap(DataType dt, Shape shape, void* data) {
  Tensor t;
  t.dtype_ = dt;
  t.numel_ = ShapeSize(shape);
  t.shape_ = std::move(shape);
  t.data_ = data;
  return t;
}

void Tensor::Rebind(DataType dt, const Shape& shape, void* data) {
  dtype_ = dt;
  if (&shape != &shape_) shape_.assign(shape.begin(), shape.end());
  numel_ = ShapeSize(shape_);
  data_ = data;
  storage_.reset();
}

void Tensor::SetShape(const Shape& shape) {
  if (&shape != &shape_) shape_.assign(shape.begin(), shape.end());
  numel_ = ShapeSize(shape_);
}

Tensor Tensor::Reshaped(Shape shape) const {
  Tensor t = *this;
  t.numel_ = ShapeSize(shape);
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::Clone() const {
  if (!defined()) return Tensor();
  Tensor t = Create(dtype_, shape_).value();
  if (dtype_ == DataType::kString) {
    for (int64_t i = 0; i < numel_; ++i) t.strings()[i] = strings()[i];
  } else if (nbytes() > 0) {
    std::memcpy(t.data_, data_, nbytes());
  }
  return t;
}

}  // namespace edgerun
