#include "bench/inputs.h"

#include <filesystem>
#include <random>

#include "core/npy.h"
#include "onnx/tensor_proto.h"

namespace edgerun::bench {

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Result<Tensor> ReadInputFile(const std::string& path) {
  if (EndsWith(path, ".npy")) return ReadNpyFile(path);
  return onnxio::ReadTensorProtoFile(path);
}

template <typename T, typename Dist>
void FillWith(Tensor& t, std::mt19937_64& rng, Dist dist) {
  T* p = t.data<T>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<T>(dist(rng));
}

Status FillRandom(Tensor& t, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> real(-1.0f, 1.0f);
  std::uniform_int_distribution<int> small(0, 9);
  switch (t.dtype()) {
    case DataType::kFloat: FillWith<float>(t, rng, real); break;
    case DataType::kDouble: FillWith<double>(t, rng, real); break;
    case DataType::kFloat16: FillWith<Half>(t, rng, real); break;
    case DataType::kBFloat16: FillWith<BFloat16>(t, rng, real); break;
    case DataType::kInt8: FillWith<int8_t>(t, rng, small); break;
    case DataType::kUint8: FillWith<uint8_t>(t, rng, small); break;
    case DataType::kInt16: FillWith<int16_t>(t, rng, small); break;
    case DataType::kUint16: FillWith<uint16_t>(t, rng, small); break;
    case DataType::kInt32: FillWith<int32_t>(t, rng, small); break;
    case DataType::kUint32: FillWith<uint32_t>(t, rng, small); break;
    case DataType::kInt64: FillWith<int64_t>(t, rng, small); break;
    case DataType::kUint64: FillWith<uint64_t>(t, rng, small); break;
    case DataType::kBool: FillWith<bool>(t, rng, std::uniform_int_distribution<int>(0, 1)); break;
    case DataType::kString:
      for (int64_t i = 0; i < t.numel(); ++i) t.strings()[i] = "x";
      break;
    default: return Unsupported(std::string("cannot generate random ") + DataTypeName(t.dtype()) + " input");
  }
  return Status::Ok();
}

}  // namespace

std::string InputSpec::Describe() const {
  switch (mode) {
    case Mode::kRandom: return "random uniform (seed " + std::to_string(seed) + ")";
    case Mode::kZeros: return "zeros";
    case Mode::kFiles: return "files";
  }
  return "";
}

Result<Shape> ConcreteShape(const TensorInfo& info, int batch) {
  if (!info.has_shape) return Shape{batch};
  Shape s;
  for (size_t d = 0; d < info.dims.size(); ++d) {
    int64_t v = info.dims[d];
    if (v < 0) v = d == 0 ? batch : 1;
    if (d == 0 && batch != 1 && v != batch) {
      return InvalidArgument("input '" + info.name + "' has a fixed batch dim of " + std::to_string(v) +
                             ": --batch " + std::to_string(batch) + " needs a model with a dynamic first dim");
    }
    s.push_back(v);
  }
  return s;
}

Status CheckInputMatches(const TensorInfo& info, const Tensor& t, int batch, const std::string& source) {
  const std::string where = "input '" + info.name + "' from '" + source + "'";
  if (info.dtype != DataType::kUndefined && t.dtype() != info.dtype) {
    return InvalidArgument(where + ": dtype " + DataTypeName(t.dtype()) + ", the model expects " + DataTypeName(info.dtype));
  }
  if (!info.has_shape) return Status::Ok();
  std::string declared = info.ToString();
  if (t.rank() != static_cast<int64_t>(info.dims.size())) {
    return InvalidArgument(where + ": shape " + ShapeToString(t.shape()) + " has rank " + std::to_string(t.rank()) +
                           ", the model expects " + declared);
  }
  for (size_t d = 0; d < info.dims.size(); ++d) {
    int64_t want = info.dims[d];
    if (d == 0 && want < 0 && batch != 1) want = batch;
    if (want >= 0 && t.dim(static_cast<int64_t>(d)) != want) {
      return InvalidArgument(where + ": shape " + ShapeToString(t.shape()) + " differs from the expected " + declared +
                             " at dim " + std::to_string(d) + " (" + std::to_string(t.dim(static_cast<int64_t>(d))) +
                             " vs " + std::to_string(want) + ")");
    }
  }
  return Status::Ok();
}

Result<std::vector<NamedTensor>> MakeInputs(const std::vector<TensorInfo>& declared, const InputSpec& spec) {
  std::vector<NamedTensor> feeds;
  if (spec.mode == InputSpec::Mode::kFiles) {
    size_t positional = 0;
    for (const std::string& f : spec.files) {
      std::string path = f;
      const TensorInfo* info = nullptr;
      auto eq = f.find('=');
      if (eq != std::string::npos && !std::filesystem::exists(f)) {
        const std::string name = f.substr(0, eq);
        path = f.substr(eq + 1);
        for (const auto& d : declared) {
          if (d.name == name) info = &d;
        }
        if (!info) return InvalidArgument("input file '" + f + "' names input '" + name + "', which the model does not have");
      } else {
        if (positional >= declared.size()) {
          return InvalidArgument("input file '" + f + "' is input #" + std::to_string(positional + 1) +
                                 ", but the model takes only " + std::to_string(declared.size()) + " input(s)");
        }
        info = &declared[positional++];
      }
      auto t = ReadInputFile(path);
      if (!t.ok()) return t.status().WithContext("input '" + info->name + "'");
      EDGERUN_RETURN_IF_ERROR(CheckInputMatches(*info, *t, spec.batch, path));
      feeds.push_back({info->name, std::move(t).value()});
    }
    for (const auto& d : declared) {
      bool given = false;
      for (const auto& nt : feeds) given = given || nt.name == d.name;
      if (!given) return InvalidArgument("no file given for input '" + d.name + "' (" + d.ToString() + ")");
    }
    return feeds;
  }
  std::mt19937_64 rng(spec.seed);
  for (const auto& d : declared) {
    if (!d.is_tensor) return Unsupported("input '" + d.name + "' is not a tensor; give it with -i");
    EDGERUN_ASSIGN_OR_RETURN(Shape shape, ConcreteShape(d, spec.batch));
    EDGERUN_ASSIGN_OR_RETURN(Tensor t, Tensor::Create(d.dtype == DataType::kUndefined ? DataType::kFloat : d.dtype, shape));
    if (spec.mode == InputSpec::Mode::kRandom) EDGERUN_RETURN_IF_ERROR_CTX(FillRandom(t, rng), "input '" + d.name + "'");
    feeds.push_back({d.name, std::move(t)});
  }
  return feeds;
}

}  // namespace edgerun::bench
