// Tensor: a typed, shaped, reference-counted buffer. Copies share storage (cheap);
// use Clone() for a deep copy. Thread-safety: a Tensor may be read from many threads;
// writers must own it exclusively.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "edgerun/shape.h"
#include "edgerun/status.h"

namespace edgerun {

// Values match ONNX TensorProto.DataType.
enum class DataType : int32_t {
  kUndefined = 0,
  kFloat = 1,
  kUint8 = 2,
  kInt8 = 3,
  kUint16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUint32 = 12,
  kUint64 = 13,
  kBFloat16 = 16,
};

// Name as ONNX spells it in type strings: "float", "int64", "float16"...
const char* DataTypeName(DataType dt);
// Bytes per element; 0 for undefined and string (strings are stored as std::string).
size_t DataTypeSize(DataType dt);
bool IsKnownDataType(int32_t code);

// IEEE 754 binary16, stored as bits; arithmetic goes through float.
struct Half {
  uint16_t bits = 0;
  Half() = default;
  Half(float f);  // NOLINT: implicit conversions make templated kernels work
  operator float() const;  // NOLINT
  static Half FromBits(uint16_t b) { Half h; h.bits = b; return h; }
};

// bfloat16: the upper 16 bits of a float32 (round to nearest even).
struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  BFloat16(float f);  // NOLINT
  operator float() const;  // NOLINT
  static BFloat16 FromBits(uint16_t b) { BFloat16 h; h.bits = b; return h; }
};

float HalfToFloat(uint16_t h);
uint16_t FloatToHalf(float f);

// Number of elements; 1 for a scalar (rank 0).
int64_t ShapeSize(const Shape& shape);
std::string ShapeToString(const Shape& shape);

// Largest tensor the engine will allocate (bytes); larger requests fail with OutOfMemory
// instead of attempting the allocation. Adjustable for tests and small devices.
constexpr uint64_t kDefaultMaxTensorBytes = uint64_t{16} << 30;
void SetMaxTensorBytes(uint64_t bytes);
uint64_t MaxTensorBytes();

// Checks that a shape has non-negative dims and an element count whose byte size fits the limit.
Status CheckShapeAllocatable(DataType dt, const Shape& shape);

class Tensor {
 public:
  Tensor() = default;

  // Allocates a zero-filled tensor. Fails for negative dims, overflow or sizes over the limit.
  static Result<Tensor> Create(DataType dt, Shape shape);
  // As Create, but numeric contents are left unspecified (for callers that overwrite every
  // element: no zero fill, which for large weights costs as much as the copy).
  static Result<Tensor> CreateForOverwrite(DataType dt, Shape shape);
  // Wraps caller-owned memory without copying; the caller keeps it alive.
  static Tensor Wrap(DataType dt, Shape shape, void* data);
  // Scalar helpers.
  template <typename T>
  static Tensor Scalar(DataType dt, T v) {
    Tensor t = Create(dt, {}).value();
    *t.data<T>() = v;
    return t;
  }

  bool defined() const { return dtype_ != DataType::kUndefined; }
  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t dim(int64_t i) const { return shape_[static_cast<size_t>(i)]; }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return static_cast<size_t>(numel_) * DataTypeSize(dtype_); }

  void* raw() { return data_; }
  const void* raw() const { return data_; }
  template <typename T>
  T* data() { return static_cast<T*>(data_); }
  template <typename T>
  const T* data() const { return static_cast<const T*>(data_); }
  std::string* strings() { return static_cast<std::string*>(data_); }
  const std::string* strings() const { return static_cast<const std::string*>(data_); }

  // True when this tensor holds (a share of) heap storage; false for views of caller memory.
  bool owns_storage() const { return storage_ != nullptr; }
  // Turns this tensor into a view of caller-owned memory, reusing its shape buffer (no heap
  // allocation once the rank has been seen). Drops any storage it owned.
  void Rebind(DataType dt, const Shape& shape, void* data);
  // Changes the shape in place (element count must match; checked by caller).
  void SetShape(const Shape& shape);
  // Same storage, new shape (element count must match; checked by caller).
  Tensor Reshaped(Shape shape) const;
  // Deep copy.
  Tensor Clone() const;

 private:
  static Result<Tensor> Allocate(DataType dt, Shape shape, bool zero);
  DataType dtype_ = DataType::kUndefined;
  Shape shape_;
  int64_t numel_ = 0;
  void* data_ = nullptr;
  std::shared_ptr<void> storage_;
};

// A named tensor, as passed to and returned from Session::Run.
struct NamedTensor {
  std::string name;
  Tensor tensor;
};

}  // namespace edgerun
