// Dataset loading in the shared layout.
#include "data/dataset.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "core/npy.h"
#include "onnx/tensor_proto.h"

namespace edgerun::data {

namespace fs = std::filesystem;

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Result<Tensor> ReadTensor(const fs::path& p) {
  if (EndsWith(p.string(), ".npy")) return ReadNpyFile(p.string());
  return onnxio::ReadTensorProtoFile(p.string());
}

// Labels as int64 [N] from any integer .npy.
Result<Tensor> ReadLabels(const fs::path& p) {
  Tensor raw;
  EDGERUN_ASSIGN_OR_RETURN(raw, ReadNpyFile(p.string()));
  if (raw.rank() != 1) return InvalidArgument("'" + p.string() + "': labels must be [N], got " + ShapeToString(raw.shape()));
  Tensor out;
  EDGERUN_ASSIGN_OR_RETURN(out, Tensor::Create(DataType::kInt64, raw.shape()));
  for (int64_t i = 0; i < raw.numel(); ++i) {
    int64_t v;
    switch (raw.dtype()) {
      case DataType::kInt64: v = raw.data<int64_t>()[i]; break;
      case DataType::kInt32: v = raw.data<int32_t>()[i]; break;
      case DataType::kInt16: v = raw.data<int16_t>()[i]; break;
      case DataType::kInt8: v = raw.data<int8_t>()[i]; break;
      case DataType::kUint8: v = raw.data<uint8_t>()[i]; break;
      case DataType::kUint16: v = raw.data<uint16_t>()[i]; break;
      case DataType::kUint32: v = raw.data<uint32_t>()[i]; break;
      default: return InvalidArgument("'" + p.string() + "': labels must be integers, got " + DataTypeName(raw.dtype()));
    }
    out.data<int64_t>()[i] = v;
  }
  return out;
}

// Stacks per-sample [1, ...] or [...] tensors into [N, ...].
Result<Tensor> Stack(const std::vector<Tensor>& samples, const std::string& what) {
  const Tensor& first = samples[0];
  Shape item = first.shape();
  if (!item.empty() && item[0] == 1) item.erase(item.begin());
  Shape shape{static_cast<int64_t>(samples.size())};
  shape.insert(shape.end(), item.begin(), item.end());
  Tensor out;
  EDGERUN_ASSIGN_OR_RETURN(out, Tensor::Create(first.dtype(), shape));
  for (size_t i = 0; i < samples.size(); ++i) {
    if (samples[i].dtype() != first.dtype() || samples[i].numel() != first.numel()) {
      return InvalidArgument(what + ": sample " + std::to_string(i) + " is " + DataTypeName(samples[i].dtype()) +
                             ShapeToString(samples[i].shape()) + ", sample 0 is " + DataTypeName(first.dtype()) +
                             ShapeToString(first.shape()));
    }
    if (first.dtype() == DataType::kString) return Unsupported(what + ": string samples");
    std::memcpy(static_cast<char*>(out.raw()) + i * first.nbytes(), samples[i].raw(), first.nbytes());
  }
  return out;
}

std::optional<fs::path> LabelsBeside(const fs::path& dir) {
  fs::path p = dir / "labels.npy";
  if (fs::exists(p)) return p;
  return std::nullopt;
}

}  // namespace

Result<Dataset> Dataset::FromStacked(std::vector<Tensor> inputs, std::optional<Tensor> labels) {
  if (inputs.empty()) return InvalidArgument("dataset has no inputs");
  Dataset d;
  for (const auto& t : inputs) {
    if (t.rank() < 1) return InvalidArgument("dataset input must have a leading sample axis, got a scalar");
    if (t.dim(0) != inputs[0].dim(0)) {
      return InvalidArgument("dataset inputs disagree on the sample count: " + std::to_string(inputs[0].dim(0)) + " vs " +
                             std::to_string(t.dim(0)));
    }
  }
  d.size_ = static_cast<size_t>(inputs[0].dim(0));
  if (labels && (labels->rank() != 1 || static_cast<size_t>(labels->dim(0)) != d.size_)) {
    return InvalidArgument("dataset has " + std::to_string(d.size_) + " samples but " + ShapeToString(labels->shape()) +
                           " labels");
  }
  d.inputs_ = std::move(inputs);
  d.labels_ = std::move(labels);
  return d;
}

std::vector<Tensor> Dataset::Sample(size_t i) const {
  std::vector<Tensor> out;
  for (const auto& t : inputs_) {
    Shape s = t.shape();
    s[0] = 1;
    const size_t bytes = t.nbytes() / static_cast<size_t>(t.dim(0));
    Tensor view = Tensor::Wrap(t.dtype(), s, static_cast<char*>(const_cast<void*>(t.raw())) + i * bytes);
    out.push_back(view.Clone());  // a copy: Wrap does not keep the dataset alive
  }
  return out;
}

Result<Dataset> LoadDataset(const std::string& path_str) {
  const fs::path path(path_str);
  std::error_code ec;
  if (!fs::exists(path, ec)) return NotFound("dataset '" + path_str + "' does not exist");
  if (!fs::is_directory(path)) {
    if (!EndsWith(path_str, ".npy")) return InvalidArgument("dataset '" + path_str + "' must be a .npy or a directory");
    Tensor x;
    EDGERUN_ASSIGN_OR_RETURN(x, ReadNpyFile(path_str));
    std::optional<Tensor> labels;
    if (auto lp = LabelsBeside(path.parent_path()); lp && *lp != path) {
      EDGERUN_ASSIGN_OR_RETURN(labels, ReadLabels(*lp));
    }
    return Dataset::FromStacked({x}, labels);
  }
  std::optional<Tensor> labels;
  if (auto lp = LabelsBeside(path)) {
    EDGERUN_ASSIGN_OR_RETURN(labels, ReadLabels(*lp));
  }
  // input_<k>.npy with a leading sample axis.
  if (fs::exists(path / "input_0.npy")) {
    std::vector<Tensor> inputs;
    for (int k = 0; fs::exists(path / ("input_" + std::to_string(k) + ".npy")); ++k) {
      Tensor t;
      EDGERUN_ASSIGN_OR_RETURN(t, ReadNpyFile((path / ("input_" + std::to_string(k) + ".npy")).string()));
      inputs.push_back(std::move(t));
    }
    auto d = Dataset::FromStacked(std::move(inputs), labels);
    if (!d.ok()) return d.status().WithContext("dataset '" + path_str + "'");
    return d;
  }
  // One entry per sample: subdirectories with input_<k>.{pb,npy}, or files.
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(path)) {
    const std::string n = e.path().filename().string();
    if (n == "labels.npy" || n.rfind('.', 0) == 0) continue;
    if (e.is_directory() || EndsWith(n, ".npy") || EndsWith(n, ".pb")) entries.push_back(e.path());
  }
  std::sort(entries.begin(), entries.end());
  if (entries.empty()) return InvalidArgument("dataset '" + path_str + "' holds no samples");
  std::vector<std::vector<Tensor>> per_input;
  for (const auto& e : entries) {
    std::vector<Tensor> sample;
    if (fs::is_directory(e)) {
      for (int k = 0;; ++k) {
        fs::path npy = e / ("input_" + std::to_string(k) + ".npy"), pb = e / ("input_" + std::to_string(k) + ".pb");
        if (!fs::exists(npy) && !fs::exists(pb)) break;
        Tensor t;
        EDGERUN_ASSIGN_OR_RETURN(t, ReadTensor(fs::exists(npy) ? npy : pb));
        sample.push_back(std::move(t));
      }
      if (sample.empty()) return InvalidArgument("dataset sample '" + e.string() + "' has no input_0.pb or input_0.npy");
    } else {
      Tensor t;
      EDGERUN_ASSIGN_OR_RETURN(t, ReadTensor(e));
      sample.push_back(std::move(t));
    }
    if (!per_input.empty() && sample.size() != per_input.size()) {
      return InvalidArgument("dataset sample '" + e.string() + "' has " + std::to_string(sample.size()) + " inputs, the first has " +
                             std::to_string(per_input.size()));
    }
    per_input.resize(sample.size());
    for (size_t k = 0; k < sample.size(); ++k) per_input[k].push_back(std::move(sample[k]));
  }
  std::vector<Tensor> inputs;
  for (size_t k = 0; k < per_input.size(); ++k) {
    Tensor t;
    EDGERUN_ASSIGN_OR_RETURN(t, Stack(per_input[k], "dataset '" + path_str + "' input " + std::to_string(k)));
    inputs.push_back(std::move(t));
  }
  auto d = Dataset::FromStacked(std::move(inputs), labels);
  if (!d.ok()) return d.status().WithContext("dataset '" + path_str + "'");
  return d;
}

}  // namespace edgerun::data
