// The wire-format walk behind SplitRawData (see raw_data_split.h).
#include "onnx/raw_data_split.h"

#include <cstdint>

namespace edgerun::onnxio {

namespace {

constexpr uint32_t kModelGraph = 7;         // ModelProto.graph
constexpr uint32_t kGraphInitializer = 5;   // GraphProto.initializer
constexpr uint32_t kTensorRawData = 9;      // TensorProto.raw_data
constexpr size_t kMinRawBytes = 64 * 1024;  // below this the split is not worth a second pass

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLength = 2, kFixed32 = 5 };

// A bounds-checked reader over [p, end).
struct Reader {
  const char* p;
  const char* end;

  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p == end) return false;
      const auto byte = static_cast<uint8_t>(*p++);
      *v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;  // more than 10 bytes
  }
  // One field: its number, wire type, the whole field's bytes [start, p) and, for length-
  // delimited fields, the payload.
  bool Field(uint32_t* number, uint32_t* type, const char** start, std::string_view* payload) {
    *start = p;
    uint64_t tag = 0;
    if (!Varint(&tag)) return false;
    *number = static_cast<uint32_t>(tag >> 3);
    *type = static_cast<uint32_t>(tag & 7);
    if (*number == 0 || tag >> 32 != 0) return false;
    uint64_t v = 0;
    switch (*type) {
      case kVarint: return Varint(&v);
      case kFixed64: return Skip(8);
      case kFixed32: return Skip(4);
      case kLength:
        if (!Varint(&v) || v > static_cast<uint64_t>(end - p)) return false;
        *payload = std::string_view(p, static_cast<size_t>(v));
        p += v;
        return true;
      default: return false;  // groups (3, 4) and invalid types
    }
  }
  bool Skip(size_t n) {
    if (static_cast<size_t>(end - p) < n) return false;
    p += n;
    return true;
  }
};

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutLengthField(std::string* out, uint32_t number, const std::string& payload) {
  PutVarint(out, (static_cast<uint64_t>(number) << 3) | kLength);
  PutVarint(out, payload.size());
  out->append(payload);
}

// TensorProto without raw_data; *raw = the last raw_data (protobuf's last-one-wins).
bool SplitTensor(std::string_view in, std::string* out, std::optional<std::string_view>* raw) {
  Reader r{in.data(), in.data() + in.size()};
  while (r.p != r.end) {
    uint32_t number = 0, type = 0;
    const char* start = nullptr;
    std::string_view payload;
    if (!r.Field(&number, &type, &start, &payload)) return false;
    if (number == kTensorRawData) {
      if (type != kLength) return false;
      *raw = payload;
    } else {
      out->append(start, static_cast<size_t>(r.p - start));
    }
  }
  return true;
}

bool SplitGraph(std::string_view in, std::string* out, SplitModel* model, size_t* raw_bytes) {
  Reader r{in.data(), in.data() + in.size()};
  std::string tensor;
  while (r.p != r.end) {
    uint32_t number = 0, type = 0;
    const char* start = nullptr;
    std::string_view payload;
    if (!r.Field(&number, &type, &start, &payload)) return false;
    if (number == kGraphInitializer && type == kLength) {
      tensor.clear();
      std::optional<std::string_view> raw;
      if (!SplitTensor(payload, &tensor, &raw)) return false;
      PutLengthField(out, kGraphInitializer, tensor);
      if (raw) *raw_bytes += raw->size();
      model->raw_data.push_back(raw);
    } else {
      out->append(start, static_cast<size_t>(r.p - start));
    }
  }
  return true;
}

}  // namespace

bool SplitRawData(const char* data, size_t size, SplitModel* out) {
  out->structure.clear();
  out->raw_data.clear();
  if (data == nullptr || size == 0) return false;
  Reader r{data, data + size};
  bool seen_graph = false;
  size_t raw_bytes = 0;
  std::string graph;
  while (r.p != r.end) {
    uint32_t number = 0, type = 0;
    const char* start = nullptr;
    std::string_view payload;
    if (!r.Field(&number, &type, &start, &payload)) return false;
    if (number == kModelGraph && type == kLength) {
      if (seen_graph) return false;  // protobuf would merge the two; leave that to it
      seen_graph = true;
      if (!SplitGraph(payload, &graph, out, &raw_bytes)) return false;
      PutLengthField(&out->structure, kModelGraph, graph);
    } else {
      out->structure.append(start, static_cast<size_t>(r.p - start));
    }
  }
  return seen_graph && raw_bytes >= kMinRawBytes;
}

}  // namespace edgerun::onnxio
