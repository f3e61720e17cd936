// TensorProto <-> Tensor.
#include "onnx/tensor_proto.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/file.h"
#include "onnx/onnx_pb.h"

namespace edgerun::onnxio {

namespace {

std::string TensorLabel(const onnx::TensorProto& p) {
  return "tensor '" + p.name() + "'";
}

Status SizeMismatch(const onnx::TensorProto& p, const Shape& shape, size_t have, const char* field) {
  return Corruption(TensorLabel(p) + ": shape " + ShapeToString(shape) + " needs " +
                    std::to_string(ShapeSize(shape)) + " elements but " + field + " holds " +
                    std::to_string(have));
}

Result<std::string> ReadExternalData(const onnx::TensorProto& p, const std::string& base_dir) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : p.external_data()) {
    try {
      if (kv.key() == "location") location = kv.value();
      else if (kv.key() == "offset") offset = std::stoll(kv.value());
      else if (kv.key() == "length") length = std::stoll(kv.value());
    } catch (const std::exception&) {
      return Corruption(TensorLabel(p) + ": external data '" + kv.key() + "' is not a number: '" + kv.value() + "'");
    }
  }
  if (location.empty()) return Corruption(TensorLabel(p) + ": external data without a location");
  namespace fs = std::filesystem;
  fs::path rel(location);
  if (rel.is_absolute()) return Corruption(TensorLabel(p) + ": external data location '" + location + "' must be relative to the model");
  for (const auto& part : rel) {
    if (part == "..") return Corruption(TensorLabel(p) + ": external data location '" + location + "' leaves the model directory");
  }
  fs::path full = fs::path(base_dir.empty() ? "." : base_dir) / rel;
  std::error_code ec;
  auto fsize = fs::file_size(full, ec);
  if (ec) return IOError(TensorLabel(p) + ": cannot open external data file '" + full.string() + "': " + ec.message());
  if (offset < 0 || static_cast<uint64_t>(offset) > fsize) return Corruption(TensorLabel(p) + ": external data offset " + std::to_string(offset) + " is past the end of '" + full.string() + "'");
  uint64_t len = length < 0 ? fsize - static_cast<uint64_t>(offset) : static_cast<uint64_t>(length);
  if (static_cast<uint64_t>(offset) + len > fsize) return Corruption(TensorLabel(p) + ": external data [" + std::to_string(offset) + ", +" + std::to_string(len) + ") is past the end of '" + full.string() + "' (" + std::to_string(fsize) + " bytes)");
  std::ifstream f(full, std::ios::binary);
  if (!f) return IOError(TensorLabel(p) + ": cannot open external data file '" + full.string() + "'");
  std::string data(len, '\0');
  f.seekg(offset);
  f.read(data.data(), static_cast<std::streamsize>(len));
  if (!f) return IOError(TensorLabel(p) + ": short read from '" + full.string() + "'");
  return data;
}

template <typename Dst, typename Src>
void CopyCast(const Src& src, Dst* dst) {
  for (int i = 0; i < src.size(); ++i) dst[i] = static_cast<Dst>(src.Get(i));
}

}  // namespace

Result<Tensor> TensorFromProto(const onnx::TensorProto& p, const std::string& base_dir,
                               std::optional<std::string_view> raw_data) {
  if (!IsKnownDataType(p.data_type())) {
    return Unsupported(TensorLabel(p) + ": data type " + std::to_string(p.data_type()) + " is not supported");
  }
  DataType dt = static_cast<DataType>(p.data_type());
  Shape shape(p.dims().begin(), p.dims().end());
  for (int64_t d : shape) {
    if (d < 0) return Corruption(TensorLabel(p) + ": negative dimension in " + ShapeToString(shape));
  }
  if (p.has_segment()) return Unsupported(TensorLabel(p) + ": segmented tensors are not supported");
  // Check the element count against the stored data before allocating anything.
  uint64_t count = 1;
  for (int64_t d : shape) {
    if (d != 0 && count > (uint64_t{1} << 62) / static_cast<uint64_t>(d)) {
      return Corruption(TensorLabel(p) + ": shape " + ShapeToString(shape) + " overflows");
    }
    count *= static_cast<uint64_t>(d);
  }
  const size_t esize = DataTypeSize(dt);
  std::string external;
  std::optional<std::string_view> raw;
  if (p.data_location() == onnx::TensorProto::EXTERNAL) {
    EDGERUN_ASSIGN_OR_RETURN(external, ReadExternalData(p, base_dir));
    raw = external;
  } else if (raw_data) {
    raw = raw_data;
  } else if (p.has_raw_data()) {
    raw = p.raw_data();
  }
  if (dt == DataType::kString) {
    if (static_cast<uint64_t>(p.string_data_size()) != count) return SizeMismatch(p, shape, p.string_data_size(), "string_data");
  } else if (raw) {
    if (raw->size() != count * esize) {
      return Corruption(TensorLabel(p) + ": shape " + ShapeToString(shape) + " of " + DataTypeName(dt) + " needs " +
                        std::to_string(count * esize) + " bytes but raw data holds " + std::to_string(raw->size()));
    }
  } else {
    size_t have = 0;
    const char* field = "";
    switch (dt) {
      case DataType::kFloat: have = p.float_data_size(); field = "float_data"; break;
      case DataType::kDouble: have = p.double_data_size(); field = "double_data"; break;
      case DataType::kInt64: have = p.int64_data_size(); field = "int64_data"; break;
      case DataType::kUint32:
      case DataType::kUint64: have = p.uint64_data_size(); field = "uint64_data"; break;
      default: have = p.int32_data_size(); field = "int32_data"; break;
    }
    if (have != count) return SizeMismatch(p, shape, have, field);
  }
  // Every element is written below (raw bytes or the typed field, whose count was checked).
  auto created = Tensor::CreateForOverwrite(dt, shape);
  if (!created.ok()) return created.status().WithContext(TensorLabel(p));
  Tensor t = std::move(created).value();
  if (count == 0) return t;
  if (dt == DataType::kString) {
    for (int i = 0; i < p.string_data_size(); ++i) t.strings()[i] = p.string_data(i);
    return t;
  }
  if (raw) {
    std::memcpy(t.raw(), raw->data(), raw->size());  // little-endian hosts only
    return t;
  }
  switch (dt) {
    case DataType::kFloat: CopyCast(p.float_data(), t.data<float>()); break;
    case DataType::kDouble: CopyCast(p.double_data(), t.data<double>()); break;
    case DataType::kInt64: CopyCast(p.int64_data(), t.data<int64_t>()); break;
    case DataType::kUint32: CopyCast(p.uint64_data(), t.data<uint32_t>()); break;
    case DataType::kUint64: CopyCast(p.uint64_data(), t.data<uint64_t>()); break;
    case DataType::kInt32: CopyCast(p.int32_data(), t.data<int32_t>()); break;
    case DataType::kInt16: CopyCast(p.int32_data(), t.data<int16_t>()); break;
    case DataType::kInt8: CopyCast(p.int32_data(), t.data<int8_t>()); break;
    case DataType::kUint16: CopyCast(p.int32_data(), t.data<uint16_t>()); break;
    case DataType::kUint8: CopyCast(p.int32_data(), t.data<uint8_t>()); break;
    case DataType::kBool: CopyCast(p.int32_data(), t.data<uint8_t>()); break;
    case DataType::kFloat16:
    case DataType::kBFloat16: CopyCast(p.int32_data(), t.data<uint16_t>()); break;
    default: return Internal(TensorLabel(p) + ": unhandled data type");
  }
  return t;
}

Status TensorToProto(const Tensor& t, const std::string& name, onnx::TensorProto* proto) {
  proto->Clear();
  proto->set_name(name);
  proto->set_data_type(static_cast<int32_t>(t.dtype()));
  for (int64_t d : t.shape()) proto->add_dims(d);
  if (t.dtype() == DataType::kString) {
    for (int64_t i = 0; i < t.numel(); ++i) proto->add_string_data(t.strings()[i]);
  } else {
    proto->set_raw_data(std::string(static_cast<const char*>(t.raw()), t.nbytes()));
  }
  return Status::Ok();
}

Result<Tensor> ReadTensorProtoFile(const std::string& path, std::string* name) {
  std::string bytes;
  EDGERUN_ASSIGN_OR_RETURN(bytes, ReadFileToString(path));
  if (bytes.empty()) return Corruption("'" + path + "': file is empty");
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes)) return Corruption("'" + path + "': not a serialized ONNX TensorProto");
  if (name) *name = proto.name();
  auto dir = std::filesystem::path(path).parent_path().string();
  auto t = TensorFromProto(proto, dir);
  if (!t.ok()) return t.status().WithContext("'" + path + "'");
  return t;
}

Status WriteTensorProtoFile(const Tensor& t, const std::string& name, const std::string& path) {
  onnx::TensorProto proto;
  EDGERUN_RETURN_IF_ERROR(TensorToProto(t, name, &proto));
  std::string bytes;
  if (!proto.SerializeToString(&bytes)) return Internal("serializing tensor '" + name + "'");
  return WriteFileAtomically(path, bytes);
}

}  // namespace edgerun::onnxio
