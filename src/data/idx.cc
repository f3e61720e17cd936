// IDX (MNIST-family) reader, with transparent gzip decompression through zlib.
#include <zlib.h>

#include <cstring>

#include "data/dataset.h"

namespace edgerun::data {

namespace {

constexpr size_t kMaxIdxBytes = size_t{2} << 30;

Result<std::string> ReadMaybeGzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) return IOError("cannot open '" + path + "'");
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kMaxIdxBytes) {
      gzclose(f);
      return IOError("'" + path + "' decompresses to more than " + std::to_string(kMaxIdxBytes) + " bytes");
    }
  }
  int err = 0;
  const char* msg = gzerror(f, &err);
  gzclose(f);
  if (n < 0 || (err != Z_OK && err != Z_STREAM_END)) return Corruption("'" + path + "': " + (msg ? msg : "read error"));
  return out;
}

uint32_t BigEndian32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

Result<Tensor> ReadIdxFile(const std::string& path) {
  std::string b;
  EDGERUN_ASSIGN_OR_RETURN(b, ReadMaybeGzip(path));
  const auto* u = reinterpret_cast<const unsigned char*>(b.data());
  if (b.size() < 4 || u[0] != 0 || u[1] != 0) return Corruption("'" + path + "': not an IDX file (bad magic)");
  DataType dt;
  size_t esize;
  switch (u[2]) {
    case 0x08: dt = DataType::kUint8; esize = 1; break;
    case 0x09: dt = DataType::kInt8; esize = 1; break;
    case 0x0B: dt = DataType::kInt16; esize = 2; break;
    case 0x0C: dt = DataType::kInt32; esize = 4; break;
    case 0x0D: dt = DataType::kFloat; esize = 4; break;
    case 0x0E: dt = DataType::kDouble; esize = 8; break;
    default: return Corruption("'" + path + "': unknown IDX element type " + std::to_string(u[2]));
  }
  const size_t rank = u[3];
  if (rank == 0 || b.size() < 4 + 4 * rank) return Corruption("'" + path + "': truncated IDX header");
  Shape shape;
  for (size_t i = 0; i < rank; ++i) shape.push_back(BigEndian32(u + 4 + 4 * i));
  EDGERUN_RETURN_IF_ERROR_CTX(CheckShapeAllocatable(dt, shape), "'" + path + "'");
  const size_t off = 4 + 4 * rank;
  const uint64_t need = static_cast<uint64_t>(ShapeSize(shape)) * esize;
  if (b.size() - off != need) {
    return Corruption("'" + path + "': IDX shape " + ShapeToString(shape) + " needs " + std::to_string(need) +
                      " bytes of data, the file holds " + std::to_string(b.size() - off));
  }
  Tensor t;
  EDGERUN_ASSIGN_OR_RETURN(t, Tensor::Create(dt, shape));
  auto* dst = static_cast<unsigned char*>(t.raw());
  // IDX stores multi-byte elements big-endian.
  for (size_t i = 0; i < need; i += esize) {
    for (size_t k = 0; k < esize; ++k) dst[i + k] = u[off + i + esize - 1 - k];
  }
  return t;
}

Result<Dataset> LoadIdxImageDataset(const std::string& images_path, const std::string& labels_path) {
  Tensor images, labels;
  EDGERUN_ASSIGN_OR_RETURN(images, ReadIdxFile(images_path));
  EDGERUN_ASSIGN_OR_RETURN(labels, ReadIdxFile(labels_path));
  if (images.rank() != 3 || images.dtype() != DataType::kUint8) {
    return InvalidArgument("'" + images_path + "': expected uint8 images [N, rows, cols], got " + ShapeToString(images.shape()));
  }
  if (labels.rank() != 1 || labels.dtype() != DataType::kUint8 || labels.dim(0) != images.dim(0)) {
    return InvalidArgument("'" + labels_path + "': expected " + std::to_string(images.dim(0)) + " uint8 labels, got shape " +
                           ShapeToString(labels.shape()));
  }
  Tensor x, y;
  EDGERUN_ASSIGN_OR_RETURN(x, Tensor::Create(DataType::kFloat, {images.dim(0), 1, images.dim(1), images.dim(2)}));
  for (int64_t i = 0; i < images.numel(); ++i) x.data<float>()[i] = static_cast<float>(images.data<uint8_t>()[i]) / 255.0f;
  EDGERUN_ASSIGN_OR_RETURN(y, Tensor::Create(DataType::kInt64, {labels.dim(0)}));
  for (int64_t i = 0; i < labels.numel(); ++i) y.data<int64_t>()[i] = labels.data<uint8_t>()[i];
  return Dataset::FromStacked({x}, y);
}

}  // namespace edgerun::data
