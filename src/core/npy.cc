// .npy reader and writer.
#include "core/npy.h"

#include <cstring>

#include "core/file.h"

namespace edgerun {

namespace {

struct NpyType {
  const char* descr;
  DataType dt;
};
constexpr NpyType kTypes[] = {
    {"<f4", DataType::kFloat},  {"<f8", DataType::kDouble}, {"<f2", DataType::kFloat16}, {"|i1", DataType::kInt8},
    {"|u1", DataType::kUint8},  {"<i2", DataType::kInt16},  {"<u2", DataType::kUint16},  {"<i4", DataType::kInt32},
    {"<u4", DataType::kUint32}, {"<i8", DataType::kInt64},  {"<u8", DataType::kUint64},  {"|b1", DataType::kBool},
};

// Finds the value text after 'key': in a Python dict literal.
bool FindValue(const std::string& h, const std::string& key, std::string* out) {
  auto k = h.find("'" + key + "'");
  if (k == std::string::npos) return false;
  auto c = h.find(':', k);
  if (c == std::string::npos) return false;
  size_t i = c + 1;
  while (i < h.size() && h[i] == ' ') ++i;
  if (i >= h.size()) return false;
  if (h[i] == '\'') {
    auto e = h.find('\'', i + 1);
    if (e == std::string::npos) return false;
    *out = h.substr(i + 1, e - i - 1);
  } else if (h[i] == '(') {
    auto e = h.find(')', i);
    if (e == std::string::npos) return false;
    *out = h.substr(i + 1, e - i - 1);
  } else {
    auto e = h.find_first_of(",}", i);
    if (e == std::string::npos) return false;
    *out = h.substr(i, e - i);
  }
  return true;
}

}  // namespace

Result<Tensor> ParseNpy(const std::string& b, const std::string& what) {
  if (b.size() < 10 || std::memcmp(b.data(), "\x93NUMPY", 6) != 0) return Corruption(what + ": not a .npy file (bad magic)");
  int major = static_cast<unsigned char>(b[6]);
  size_t header_len, off;
  if (major == 1) {
    header_len = static_cast<unsigned char>(b[8]) | (static_cast<size_t>(static_cast<unsigned char>(b[9])) << 8);
    off = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) return Corruption(what + ": truncated .npy header");
    header_len = 0;
    for (int i = 0; i < 4; ++i) header_len |= static_cast<size_t>(static_cast<unsigned char>(b[8 + i])) << (8 * i);
    off = 12;
  } else {
    return Corruption(what + ": unsupported .npy version " + std::to_string(major));
  }
  if (off + header_len > b.size()) return Corruption(what + ": truncated .npy header");
  std::string h = b.substr(off, header_len);
  std::string descr, fortran, shape_s;
  if (!FindValue(h, "descr", &descr) || !FindValue(h, "fortran_order", &fortran) || !FindValue(h, "shape", &shape_s)) {
    return Corruption(what + ": malformed .npy header: " + h);
  }
  if (fortran.find("True") != std::string::npos) return Unsupported(what + ": Fortran-order .npy arrays are not supported");
  DataType dt = DataType::kUndefined;
  for (const auto& t : kTypes) {
    if (descr == t.descr) dt = t.dt;
  }
  if (descr == "<b1") dt = DataType::kBool;
  if (descr == "<i1") dt = DataType::kInt8;
  if (descr == "<u1") dt = DataType::kUint8;
  if (dt == DataType::kUndefined) return Unsupported(what + ": .npy dtype '" + descr + "' is not supported");
  Shape shape;
  size_t i = 0;
  while (i < shape_s.size()) {
    while (i < shape_s.size() && (shape_s[i] == ' ' || shape_s[i] == ',')) ++i;
    if (i >= shape_s.size()) break;
    size_t j = i;
    while (j < shape_s.size() && std::isdigit(static_cast<unsigned char>(shape_s[j]))) ++j;
    if (j == i || j - i > 18) return Corruption(what + ": bad shape in .npy header: (" + shape_s + ")");
    shape.push_back(std::stoll(shape_s.substr(i, j - i)));
    i = j;
  }
  EDGERUN_RETURN_IF_ERROR_CTX(CheckShapeAllocatable(dt, shape), what);
  size_t data_off = off + header_len;
  uint64_t need = static_cast<uint64_t>(ShapeSize(shape)) * DataTypeSize(dt);
  if (b.size() - data_off != need) {
    return Corruption(what + ": .npy shape " + ShapeToString(shape) + " of " + DataTypeName(dt) + " needs " +
                      std::to_string(need) + " bytes, file holds " + std::to_string(b.size() - data_off));
  }
  Tensor t;
  EDGERUN_ASSIGN_OR_RETURN(t, Tensor::Create(dt, shape));
  if (need) std::memcpy(t.raw(), b.data() + data_off, need);
  return t;
}

Result<Tensor> ReadNpyFile(const std::string& path) {
  std::string b;
  EDGERUN_ASSIGN_OR_RETURN(b, ReadFileToString(path));
  return ParseNpy(b, "'" + path + "'");
}

std::string SerializeNpy(const Tensor& t) {
  const char* descr = "<f4";
  for (const auto& k : kTypes) {
    if (k.dt == t.dtype()) descr = k.descr;
  }
  if (t.dtype() == DataType::kBFloat16) descr = "<u2";  // numpy has no bfloat16: raw bits
  std::string shape;
  for (size_t i = 0; i < t.shape().size(); ++i) shape += std::to_string(t.shape()[i]) + ", ";
  if (t.shape().size() > 1) shape.erase(shape.size() - 2);
  else if (t.shape().size() == 1) shape.erase(shape.size() - 1);
  std::string h = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
  size_t total = 10 + h.size() + 1;
  size_t pad = (64 - total % 64) % 64;
  h += std::string(pad, ' ') + "\n";
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(h.size() & 0xff);
  out += static_cast<char>((h.size() >> 8) & 0xff);
  out += h;
  out.append(static_cast<const char*>(t.raw()), t.nbytes());
  return out;
}

Status WriteNpyFile(const Tensor& t, const std::string& path) {
  if (t.dtype() == DataType::kString) return Unsupported("cannot write string tensors as .npy ('" + path + "')");
  return WriteFileAtomically(path, SerializeNpy(t));
}

}  // namespace edgerun
